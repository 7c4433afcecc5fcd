import Foundation
import StarlingNet
import StarlingProject
import StarlingReport
import StarlingRun
import StarlingSim

/// `starling run`'s options, from the flags.
public struct LoadRunOptions: Sendable {
    public var target = TargetChoice.local
    public var token: String?
    /// Overrides the scenario's ingest rate with a constant one (events/s).
    public var rate: Double?
    public var duration: Double?
    public var seed: UInt64?
    public var shard: ShardSpec = .whole
    /// `--start-at`: the wall instant (ns since the epoch) every shard starts its schedule at.
    public var startAt: Int64?
    /// The scenario file's text, kept in a shard's `oracle-state.json` (so `merge` needs no file).
    public var scenarioText: String?
    /// The scenario file's absolute path (kept with its text: a relative `"project"` resolves against it).
    public var scenarioSource: String?
    /// Results folder; default `results/<scenario>-<UTC time>`.
    public var out: String?
    public var showProgress = false
    /// Empty the scenario's datasources on a URL target first, so exact checks can run (destructive).
    public var truncate = false
    public var localTarget: LocalTarget.Options
    /// The project's pipe specs (the check plan's parameters).
    public var pipes: [String: PipeSpec] = [:]
    /// The project's copy pipes, run at settle (`RunPlan.copyPipes`).
    public var copyPipes: [String] = []
    /// Endpoints whose answer the data does not decide (`RunPlan.undetermined`).
    public var undetermined: [String: String] = [:]
    /// `IP:PORT` to serve live Prometheus metrics on while the run goes (nil: off).
    public var metricsListen: String?
    /// Seconds the final metrics stay served after the run.
    public var metricsLinger = 0.0

    public init(localTarget: LocalTarget.Options) {
        self.localTarget = localTarget
    }

    /// The pipes a run queries and checks, and the copies it runs at settle: those of `project`.
    /// Only copies of project data run (a copy that makes up rows, `numbers()` or `generateRandom`,
    /// would write data the checks cannot know; its target receives events instead).
    public mutating func use(_ project: ProjectFolder) {
        pipes = project.pipes
        copyPipes = project.copies.filter(\.readsProjectData).map(\.pipe)
        undetermined = Undetermined.constructs(in: project)
    }
}

/// A whole `starling run`, phase by phase: start (results folder, target, preflight, isolation),
/// then the session (load, drain, settle, verify), then write. One cancellation value carries why
/// the load ended (SIGINT/SIGTERM arrive through it too), and decides the verdict.
public enum LoadRun {
    /// Runs the scenario and writes the results; returns the outcome and the results folder.
    /// Throws (exit 1, one line) for bad input found before anything was sent: an unusable results
    /// folder, an unreachable target, a refused token, a pipe the target does not have.
    public static func execute(_ scenario: Scenario, options: LoadRunOptions, log: @escaping @Sendable (String) -> Void) throws -> (RunOutcome, ResultsFolder) {
        let clock = SystemClock()
        let started = clock.now()
        try options.target.validate()
        for warning in try ThresholdEvaluator.review(scenario.run.thresholds) { log("warning: \(warning)") }
        // Listening first: a port in use is bad input, found before anything starts.
        let live = LiveMetrics()
        let endpoint = try options.metricsListen.map { address throws(MetricsEndpointError) in
            try MetricsEndpoint(address: address) { live.exposition() }
        }
        defer { endpoint?.stop() }
        if let endpoint {
            let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
            log("live metrics at http://\(host):\(endpoint.port)/metrics")
            if endpoint.listensOnEveryInterface {
                log("warning: --metrics-listen \(endpoint.host) serves the metrics, without authentication, to every network this machine is on; use 127.0.0.1 unless a scraper on another machine needs them")
            }
        }
        // Signals are handled from here on: one during the target's start or the preflight ends the
        // run with one line and exit 4 (and stops the bundled target), not with the default 143.
        let cancellation = RunCancellation()
        let signals = cancellation.installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }
        let path = options.out ?? defaultResultsFolder(scenario: scenario.name)
        if ResultsFolder.holdsResults(path) { log("replacing the earlier results in \(path)") }
        let created = !FileManager.default.fileExists(atPath: path)
        let folder = try ResultsFolder.prepare(path)
        // Nothing ran when a start step fails: leave no empty results folder behind. Removing an
        // empty folder this run created cannot lose anything; the error reported is the step's.
        func discardIfCreated() { if created { try? FileManager.default.removeItem(atPath: path) } }
        do {
            try folder.reserve()
        } catch {
            discardIfCreated()
            throw error
        }
        defer { folder.releaseReserve() }
        if options.target == .local { log("starting the local target (the first start prepares its Python venv)…") }
        let target: ResolvedTarget
        do {
            target = try TargetResolver.resolve(options.target, token: options.token, local: options.localTarget, cancellation: cancellation)
        } catch .interrupted(let signal) {
            discardIfCreated()
            throw InterruptedBeforeLoad(signal: signal, during: "the start of the local target")
        } catch {
            discardIfCreated()
            throw error
        }
        defer { target.close() }
        var plan = RunPlan(scenario: scenario, token: target.token)
        if let rate = options.rate { plan.ingest.rate = .constant(rate) }
        if let duration = options.duration { plan.duration = duration }
        if let seed = options.seed { plan.seed = seed }
        plan.shard = options.shard
        plan.startAt = options.startAt
        plan.pipes = options.pipes
        plan.copyPipes = options.copyPipes
        plan.undetermined = options.undetermined
        // The reference replay needs a local target of its own: the scenario's project, or the seed
        // project when a seed scenario asks for it (`checks.reference: true`).
        if scenario.run.checks.reference ?? (scenario.project != nil) {
            plan.referenceProject = scenario.project ?? options.localTarget.project
        }
        let transport = SocketTransport(target: target.url)
        defer { transport.close() }
        do {
            try InterruptedBeforeLoad.check(cancellation, during: "the start of the target")
            try Preflight.check(plan, transport: transport, clock: clock)
            try InterruptedBeforeLoad.check(cancellation, during: "the preflight")
        } catch {
            discardIfCreated()
            throw error
        }
        log("running \(scenario.name) against \(target.url) for \(DurationText.format(seconds: plan.duration)) → \(folder.path)")
        let isolation = try isolate(target, transport: transport, scenario: scenario, token: plan.token, truncate: options.truncate, log: log)

        var environment = RunEnvironment(transport: transport, clock: clock, cancellation: cancellation, folder: folder, notice: log)
        environment.liveMetrics = endpoint == nil ? nil : live
        if options.showProgress {
            environment.progress = { line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + (line ?? "")).utf8)) }
        }
        if let startAt = options.startAt {
            // Up early: the models are built and the threads started before the instant itself.
            let wait = Double(startAt - clock.wallNow()) / 1e9 - 2
            if wait > 0 {
                log("waiting \(DurationText.format(seconds: wait.rounded(.up))) for --start-at \(RunOutcome.isoTime(nanos: startAt))")
                clock.sleep(until: clock.now() + UInt64(wait * 1e9), unless: cancellation)
            }
        }
        let loadStarts = clock.now()
        var outcome = RunSession.execute(plan, isolation: isolation, environment: environment)
        outcome.summary.phases?["start"] = Double(loadStarts - started) / 1e9

        let writing = clock.now()
        folder.releaseReserve()
        // Each file is tried, and one that cannot be written (a full disk) is named in the summary's
        // warnings and on the console rather than ending the run without a summary.
        var unwritten: [String] = []
        func attempt(_ name: String, _ write: () throws -> Void) {
            do { try write() } catch { unwritten.append("\(name) (\(Self.reason(error)))") }
        }
        attempt("histograms") { try folder.writeLatencies(histograms: outcome.histograms, timelines: outcome.timelines) }
        attempt(ResultsFolder.File.totals.rawValue) {
            try folder.writeTotals(outcome.histograms.merging(outcome.freshness) { a, _ in a }, startWallNanos: (outcome.sent?.startWallSeconds ?? 0) * 1_000_000_000,
                                   seconds: outcome.summary.elapsedSeconds)
        }
        if plan.shard.count > 1, let sent = outcome.sent {
            var state = ShardState(plan: plan, scenarioText: options.scenarioText ?? "", rateOverride: options.rate, sent: sent,
                                   ledger: outcome.summary.ingest.ledger, landed: outcome.landed)
            state.scenarioSource = options.scenarioSource
            attempt(ResultsFolder.File.oracleState.rawValue) { try folder.writeShardState(state) }
        }
        // The warning goes into the reports (when they can be written) and the summary.
        func noteUnwritten() {
            guard !unwritten.isEmpty else { return }
            outcome.summary.warnings = (outcome.summary.warnings ?? []).filter { !$0.hasPrefix(Self.unwrittenWarning) }
                + [Self.unwrittenWarning + unwritten.joined(separator: ", ")]
        }
        noteUnwritten()
        attempt("reports") { try ReportWriter.writeAll(outcome, to: folder) }
        noteUnwritten()
        outcome.summary.phases?["write"] = Double(clock.now() - writing) / 1e9
        do {
            try folder.writeSummary(outcome.summary)
        } catch {
            outcome.resultsLost = "\(ResultsFolder.File.summary.rawValue) could not be written (\(Self.reason(error))): the lines above are all that is kept of this run"
        }
        if endpoint != nil, options.metricsLinger > 0 {
            log("serving the final metrics for \(DurationText.format(seconds: options.metricsLinger)) more (--metrics-linger)")
            clock.sleep(until: clock.now() + UInt64(options.metricsLinger * 1e9), unless: cancellation)
        }
        return (outcome, folder)
    }

    /// A fresh local target is isolated; a URL target only after `--truncate`.
    static func isolate(_ target: ResolvedTarget, transport: SocketTransport, scenario: Scenario, token: String, truncate: Bool,
                        log: (String) -> Void) throws -> RunSession.Isolation {
        if target.local != nil { return .isolated }
        if target.fake != nil { return .synthetic }
        guard truncate else {
            return .shared(reason: "the target may hold other data: pass --truncate to empty the scenario's datasources first (destructive) and check exact answers")
        }
        for datasource in scenario.datasources.map(\.name) {
            log("truncating \(datasource) on \(target.url)")
            try TargetResolver.truncate(datasource, transport: transport, token: token)
        }
        return .isolated
    }

    static let unwrittenWarning = "results not written: "

    /// A write failure's reason, one line (a `ResultsError` names its path already).
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as ResultsError:
            switch error {
            case .unwritable(_, let reason), .unusable(_, let reason), .unreadable(_, let reason): return reason
            case .missing, .notAFolder: return error.description
            }
        case let error as FileError: return "\(error)"
        default: return ResultsFolder.reason(of: error)
        }
    }

    /// `results/<name>-<UTC time>Z`, the default `--out` of `run` and (with an `ab-` prefix) `ab`.
    public static func defaultResultsFolder(scenario: String) -> String {
        "results/\(scenario)-\(UTCTime.folderStamp())"
    }
}
