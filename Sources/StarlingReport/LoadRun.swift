import Foundation
import StarlingNet
import StarlingRun
import StarlingSim

/// `starling run`: resolve the target, run the load, write the results folder.
public struct LoadRunOptions: Sendable {
    public var target = TargetChoice.local
    public var token: String?
    /// Overrides the scenario's ingest rate with a constant one (events/s).
    public var rate: Double?
    public var duration: Double?
    public var seed: UInt64?
    public var shard: ShardSpec = .whole
    /// Results folder; default `results/<scenario>-<UTC time>`.
    public var out: String?
    public var showProgress = false
    /// Empty the scenario's datasources on a URL target first, so exact checks can run (destructive).
    public var truncate = false
    public var localTarget: LocalTarget.Options

    public init(localTarget: LocalTarget.Options) {
        self.localTarget = localTarget
    }
}

public enum LoadRun {
    /// Runs the scenario and writes the results; returns the outcome and the results folder.
    public static func execute(_ scenario: Scenario, options: LoadRunOptions, log: (String) -> Void) throws -> (RunOutcome, String) {
        let out = options.out ?? defaultResultsFolder(scenario: scenario.name)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if options.target == .local { log("starting the local target (the first start prepares its Python venv)…") }
        let target = try TargetResolver.resolve(options.target, token: options.token, local: options.localTarget)
        defer { target.close() }
        var plan = RunPlan(scenario: scenario, target: target.url, token: target.token, outputDirectory: out)
        if let rate = options.rate { plan.ingest.rate = .constant(rate) }
        if let duration = options.duration { plan.duration = duration }
        if let seed = options.seed { plan.seed = seed }
        plan.shard = options.shard
        plan.showProgress = options.showProgress
        log("running \(scenario.name) against \(target.url) for \(DurationText.format(seconds: plan.duration)) → \(out)")
        let isolation = try isolate(target, scenario: scenario, options: options, log: log)
        let stop = StopFlag()
        let signals = stop.installSignalHandlers()
        let outcome = RunSession.execute(plan, isolation: isolation, stop: stop)
        signals.forEach { $0.cancel() }
        try ResultWriter.write(outcome, to: out)
        try ReportWriter.writeAll(outcome, to: out)
        return (outcome, out)
    }

    /// A fresh local target is isolated; a URL target only after `--truncate`.
    static func isolate(_ target: ResolvedTarget, scenario: Scenario, options: LoadRunOptions, log: (String) -> Void) throws -> RunSession.Isolation {
        if target.local != nil { return .isolated }
        if target.fake != nil { return .synthetic }
        guard options.truncate else {
            return .shared(reason: "the target may hold other data: pass --truncate to empty the scenario's datasources first (destructive) and check exact answers")
        }
        for datasource in scenario.datasources.map(\.name) {
            log("truncating \(datasource) on \(target.url)")
            try TargetResolver.truncate(datasource, on: target)
        }
        return .isolated
    }

    static func defaultResultsFolder(scenario: String) -> String {
        let now = formatTimestamp(Int64(Date().timeIntervalSince1970))
            .replacingOccurrences(of: " ", with: "T").replacingOccurrences(of: ":", with: "")
        return "results/\(scenario)-\(now)Z"
    }
}
