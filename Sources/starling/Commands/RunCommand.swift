import Foundation
import StarlingApp
import StarlingDisk
import StarlingProject
import StarlingReport
import StarlingRun
import StarlingSim

enum RunCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "run",
        line: "load-test a target: ingest at the scenario's rate while querying its pipes",
        usage: "starling run <scenario> [options]",
        summary: """
        Replays a scenario's events against an Events API at the scenario's rate profile while querying
        its pipes, open loop: every latency is measured from the intended send time, and Starling's own
        lateness (schedule lag) is reported apart. Then settles, checks every pipe against its oracle and
        writes summary.json, <stream>.hgrm, intervals.hlog, timeline.csv, the reports and (if any event
        did not land) deadletter/<datasource>.ndjson to the results folder.
        Phases: start → load → drain (bounded by drain_timeout) → settle → verify → write; the summary
        gives each one's seconds.
        """,
        arguments: [("<scenario>", "a scenario file, or the name of a built-in one (see 'starling scenarios')")],
        options: [
            .value(.target, "local|URL|fake", """
                local (default): start the bundled local target on a free loopback port, run, stop it. A URL: \
                Tinybird Local (http://localhost:7181), Tinybird Cloud (https://api.tinybird.co) or any compatible \
                API. fake: an in-process fake target that answers at once (or after --fake-latency); no checks.
                """),
            .value(.fakeLatency, "D", "the fake target's answer delay (e.g. 5ms)"),
            .value(.token, "T", "token with APPEND and READ scopes (default: $TB_TOKEN; for Tinybird Local, its /tokens). Never printed or written to results."),
            .value(.rate, "R", "constant ingest rate in events/s (0 < R ≤ 1e8), instead of the scenario's profile"),
            .value(.duration, "D", "length of the load phase (90s, 10m, 1h; default: the scenario's)"),
            .value(.seed, "S", "override the scenario's seed"),
            .value(.shard, "i/n", "send only the entities of shard i of n (0-based; for distributed runs: checks wait for 'starling merge')"),
            .value(.startAt, "TIME", "start the schedule at this UTC instant (2026-11-30T18:00:00Z, or Unix seconds), the same for every shard; a shard that starts more than 1 s late is invalid"),
            .value(.out, "DIR", "results folder (default: results/<scenario>-<UTC time>); an earlier run's files in it are replaced"),
            .flag(.truncate, "URL targets: empty the scenario's datasources first so the correctness checks can run (DESTRUCTIVE; without it they are reported skipped)"),
            .value(.flushInterval, "S", "local target: seconds rows of wait=false requests wait in its buffer before one large insert, as Tinybird buffers them (default 1; 0 inserts each request before answering)"),
            .value(.localTargetArgs, "A", "local target: extra server flags, split like a shell does, e.g. \"--fault-status 503:0.05\"", dashes: true),
            .value(.metricsListen, "IP:PORT", "serve live metrics in Prometheus' text format at http://IP:PORT/metrics while the run goes (off by default; e.g. 127.0.0.1:9464; port 0 picks one). Never exposes the token."),
            .value(.metricsLinger, "D", "with --metrics-listen: keep serving the final values this long after the run (so a scraper catches them; default 0)"),
            .flag(.noProgress, "no progress line even on a terminal"),
        ],
        sections: [("EXIT CODES", exitCodesText)])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let catalog = ScenarioCatalog()
            var local = LocalTarget.Options(project: catalog.projectFolder)
            // Buffered by default: one insert per datasource a second rather than one per request
            // (100k e-commerce events/s held p99 41 ms with it; without it, 100k/s was over capacity).
            local.flushInterval = try args.value(.flushInterval, expected: "seconds ≥ 0") { Double($0).flatMap { $0 >= 0 ? $0 : nil } } ?? 1
            if let extra = args.value(.localTargetArgs) {
                do {
                    local.extraArguments = try ShellWords.split(extra)
                } catch {
                    throw UsageError(verb: "run", message: "--local-target-args has an unterminated quote: \(extra)")
                }
            }
            var options = LoadRunOptions(localTarget: local)
            let fakeLatency = try args.value(.fakeLatency, expected: "a duration like 5ms") { DurationText.seconds(parsing: $0) } ?? 0
            options.target = TargetChoice(args.value(.target) ?? "local", fakeLatency: fakeLatency)
            options.token = args.value(.token)
            options.rate = try args.value(.rate, expected: "events per second, 0 < R ≤ 1e8") {
                Double($0).flatMap { $0 > 0 && $0 <= RateProfile.maximumPerSecond ? $0 : nil }
            }
            options.duration = try args.value(.duration, expected: "a duration like 30s, 10m") { DurationText.seconds(parsing: $0).flatMap { $0 > 0 ? $0 : nil } }
            options.seed = try args.value(.seed, expected: "a non-negative integer") { UInt64($0) }
            options.shard = try args.value(.shard, expected: "i/n with 0 ≤ i < n") { ShardSpec(parsing: $0) } ?? .whole
            options.startAt = try args.value(.startAt, expected: "a UTC instant like 2026-11-30T18:00:00Z, or Unix seconds") { StartInstant.parse($0) }
            if let startAt = options.startAt, Double(startAt) / 1e9 - Date().timeIntervalSince1970 > 86_400 {
                throw UsageError(verb: "run", message: "--start-at is more than 24 h away; give the instant the shards start at")
            }
            options.out = args.value(.out)
            options.showProgress = !args.flag(.noProgress) && standardErrorIsTerminal
            options.truncate = args.flag(.truncate)
            options.metricsListen = args.value(.metricsListen)
            options.metricsLinger = try args.value(.metricsLinger, expected: "a duration like 15s") { DurationText.seconds(parsing: $0).flatMap { $0 >= 0 && $0 <= 3600 ? $0 : nil } } ?? 0
            if options.metricsLinger > 0 && options.metricsListen == nil {
                throw UsageError(verb: "run", message: "--metrics-linger needs --metrics-listen")
            }
            let name = try args.positionals(count: 1...1, names: "<scenario>")[0]
            let scenario = try catalog.load(name)
            // The scenario's project (its own, or the built-in one): the local target serves it, its pipes are checked.
            let project = catalog.project(for: scenario)
            options.localTarget.project = project
            options.use(try ProjectFolder(path: project))
            let file = try catalog.resolve(name)
            options.scenarioText = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
            options.scenarioSource = URL(fileURLWithPath: file).standardizedFileURL.path
            let (outcome, folder) = try LoadRun.execute(scenario, options: options) { message in
                FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
            }
            print(RunConsoleSummary.render(outcome.summary, folder: folder.path))
            if let lost = outcome.resultsLost { FileHandle.standardError.write(Data("starling: \(lost)\n".utf8)) }
            return outcome.exitCode
        }
    }
}

/// `--start-at`: an ISO 8601 UTC instant to the second, or whole Unix seconds; ns since the epoch.
enum StartInstant {
    static func parse(_ text: String) -> Int64? {
        if let seconds = Int64(text), seconds > 0 { return seconds * 1_000_000_000 }
        return UTCTime.nanos(iso: text)
    }
}
