import Foundation
import Testing

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `starling` executable built next to these tests (same configuration), else any built one.
func starlingBinary() throws -> String {
    let sibling = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("starling").path
    if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
    for configuration in ["debug", "release"] {
        let path = root.appendingPathComponent(".build/\(configuration)/starling").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw CLIError.notBuilt
}

enum CLIError: Error { case notBuilt }

func starling(_ arguments: String...) throws -> (status: Int32, output: String, error: String) {
    try starling(arguments)
}

func starling(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try starlingBinary())
    process.arguments = arguments
    process.currentDirectoryURL = root
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

@Suite(.timeLimit(.minutes(2))) struct CLITests {
    /// Every verb `starling help` lists (the command table's, read from there rather than listed
    /// again here) has `--help`, the same text as `starling help <verb>`, and runs: an unknown
    /// verb is refused, a listed one is not.
    @Test func everyVerbHasHelp() throws {
        let overview = try starling("help")
        let section = overview.output.components(separatedBy: "COMMANDS:\n").last?.components(separatedBy: "\n\n").first ?? ""
        let verbs = section.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(overview.status == 0 && verbs.count >= 14 && verbs.contains("run") && verbs.last == "help", "\(verbs)")
        for verb in verbs where verb != "help" {
            let viaFlag = try starling(verb, "--help")
            #expect(viaFlag.status == 0, "\(verb)")
            #expect(viaFlag.output.contains("USAGE: starling \(verb)"))
            let viaHelp = try starling("help", verb)
            #expect(viaHelp.output == viaFlag.output, "\(verb)")
            #expect(!viaHelp.error.contains("unknown command"), "\(verb)")
        }
    }

    @Test func unknownVerbAndOptionAreUsageErrors() throws {
        let verb = try starling("frobnicate")
        #expect(verb.status == 1)
        #expect(verb.error.contains("unknown command 'frobnicate'"))
        let option = try starling("generate", "ci-smoke", "--evnts", "5")
        #expect(option.status == 1)
        #expect(option.error.contains("unknown option --evnts"))
        let bad = try starling("generate", "ci-smoke", "--shard", "4/4")
        #expect(bad.status == 1)
        #expect(bad.error.contains("--shard 4/4: expected"))
    }

    @Test func generateToStandardOutputIsReproducible() throws {
        let a = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--out", "-")
        let b = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--out", "-")
        #expect(a.status == 0)
        #expect(a.output == b.output)
        #expect(a.output.split(separator: "\n").count == 300)
        #expect(a.error.isEmpty, "quiet when stderr is not a terminal")
        let reseeded = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--seed", "8", "--out", "-")
        #expect(reseeded.output != a.output)
    }

    @Test func badScenarioNamesTheJSONPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-cli-\(UUID().uuidString).json")
        try Data(#"{"format": 1, "datasources": {"store_visits": {"stores": -3}}}"#.utf8).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try starling("generate", dir.path, "--out", "-")
        #expect(result.status == 1)
        #expect(result.error.contains("$.datasources.store_visits.stores: expected an integer"))
    }

    /// Durations beyond what a run's 64-bit clocks hold are one line and exit 1, not a crash (SIGILL).
    @Test func hugeDurationsAreOneLineErrors() throws {
        let scenario = try scenarioFile(#"{"format": 1, "datasources": {"store_visits": {}}, "run": {"drain_timeout": "1e9h"}}"#)
        defer { try? FileManager.default.removeItem(at: scenario) }
        let cases: [([String], String)] = [
            (["run", "ci-smoke", "--target", "fake", "--duration", "1e9h"], "--duration"),
            (["run", "ci-smoke", "--target", "fake", "--duration", "99999999999999999999999s"], "--duration"),
            (["generate", "ci-smoke", "--duration", "1e9h", "--out", "-"], "--duration"),
            (["run", scenario.path, "--target", "fake"], "$.run.drain_timeout"),
        ]
        for (arguments, message) in cases {
            let result = try starling(arguments)
            #expect(result.status == 1, "\(arguments): exit \(result.status)")
            // One line naming what (a usage error adds where to read the usage).
            let lines = result.error.split(separator: "\n")
            #expect(lines.first?.contains(message) == true && (lines.count == 1 || lines[1].hasPrefix("Run 'starling help")), "\(arguments): \(result.error)")
        }
    }

    /// A scenario's name is data: one that could leave `results/`, forge a console line or flood
    /// the reports is refused in one line that does not echo its control characters.
    @Test func scenarioNamesThatCouldEscapeOrForgeAreRefused() throws {
        let names = ["../../../escaped", "a/b", ".hidden", "ok\u{1B}[32m\r\nverdict: passed", String(repeating: "x", count: 100_000)]
        for name in names {
            let quoted = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
            let scenario = try scenarioFile(#"{"format": 1, "name": "# + quoted + #", "datasources": {"store_visits": {}}}"#)
            defer { try? FileManager.default.removeItem(at: scenario) }
            let result = try starling("run", scenario.path, "--target", "fake", "--duration", "1s")
            #expect(result.status == 1, "\(name.prefix(30)): exit \(result.status)")
            let lines = result.error.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("$.name"), "\(result.error.prefix(300))")
            #expect(!result.error.contains("\u{1B}") && !result.error.contains("\r") && result.error.count < 400)
        }
        // Without a name, the file's own name is made into one.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("my shop (v2).json")
        try Data(#"{"format": 1, "datasources": {"store_visits": {}}}"#.utf8).write(to: file)
        let generated = try starling("generate", file.path, "--events", "3", "--out", "-")
        #expect(generated.status == 0, "\(generated.error)")
    }

    /// Bad input found before anything runs: exit 1 and one line that names what and where — never
    /// a Foundation error dump.
    @Test func badOutputFoldersAndTargetsAreOneLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("starling-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let cases: [([String], String)] = [
            (["run", "ci-smoke", "--target", "fake", "--out", file.path], "\(file.path) is a file, not a folder"),
            (["run", "ci-smoke", "--target", "fake", "--out", "/proc/x"], "cannot use /proc/x as a results folder: /proc does not accept new folders"),
            (["generate", "ci-smoke", "--out", "/proc/x"], "cannot create directory /proc/x: /proc does not accept new folders"),
            (["generate", "ci-smoke", "--out", file.path], "cannot create directory \(file.path): it is a file, not a folder"),
            (["run", "ci-smoke", "--target", "ftp://x"], "--target ftp://x is not a valid target URL: target URL scheme 'ftp' is not supported"),
            (["run", "ci-smoke", "--target", "http://"], "--target http:// is not a valid target URL: target URL 'http://' has no host"),
        ]
        for (arguments, message) in cases {
            let result = try starling(arguments)
            #expect(result.status == 1, "\(arguments)")
            let lines = result.error.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(message), "\(arguments): \(result.error)")
            #expect(!result.error.contains("NSCocoaErrorDomain") && !result.error.contains("IPv6"))
        }
    }

    @Test func theOptionTablesRejectWhatTheyDoNotDeclare() throws {
        let cases: [([String], String)] = [
            (["run", "ci-smoke", "--rate", "5", "--rate", "6"], "--rate is given more than once"),
            (["run", "ci-smoke", "--rate", "0"], "--rate 0: expected events per second, 0 < R ≤ 1e8"),
            (["run", "ci-smoke", "--rate", "1e9"], "--rate 1e9: expected events per second, 0 < R ≤ 1e8"),
            (["run", "ci-smoke", "--out", "--rate"], "--out needs a value"),
            (["bench", "generate", "--gzip"], "unknown option --gzip"),
            (["run", "ci-smoke", "--local-target-args", "--fault-status '503:0.1", "--target", "fake"], "unterminated quote"),
        ]
        for (arguments, message) in cases {
            let result = try starling(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
        }
        // --help as an option's value is a value: the run goes on (here to the bad target URL).
        let value = try starling(["run", "ci-smoke", "--local-target-args", "--help", "--target", "ftp://x"])
        #expect(value.status == 1 && value.error.contains("not a valid target URL") && !value.output.contains("USAGE"))
        let help = try starling(["bench", "ingest", "--help"])
        #expect(help.status == 0 && help.output.contains("USAGE: starling bench ingest") && help.output.contains("--in-flight"))
    }

    @Test func aScenarioOfferingNoEventsIsBadInput() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("starling-zero-\(UUID().uuidString).json")
        try Data(#"{"format": 1, "datasources": {"store_visits": {}}, "run": {"duration": "15s", "ingest": {"rate": {"shape": "constant", "per_second": 0}}}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try starling(["run", file.path, "--target", "fake"])
        #expect(result.status == 1)
        #expect(result.error.contains("$.run.ingest.rate: expected a rate profile that offers at least one event"), "\(result.error)")
    }

    @Test func scenariosListsTheBuiltIns() throws {
        let result = try starling("scenarios")
        #expect(result.status == 0)
        for name in ["ci-smoke", "foot-traffic", "ecommerce", "customer-journey"] { #expect(result.output.contains(name)) }
    }
}

/// The release build, which the load benchmarks need (a debug build is ~20× slower and its own
/// slowness would show up in the latencies). `scripts/test` builds it first.
let releaseBinary = root.appendingPathComponent(".build/release/starling").path

/// End-to-end runs against the bundled local target (needs its venv: scripts/test provides it).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary)
        && ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil, "needs the release build and the local target's venv"))
struct RunVerdictTests {
    /// A small scenario with every datasource, checks and thresholds. These tests are about verdicts,
    /// not timing: the schedule-lag limit is lifted so a busy machine cannot make the run invalid.
    func scenario(thresholds: [String: String], checks: String = #"{"settle_timeout": "5s", "probes_per_second": 2, "cost_queries": 1}"#) throws -> URL {
        let thresholdJSON = thresholds.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
        let json = """
        {"format": 1, "name": "verdict", "seed": 3,
         "datasources": {"store_visits": {"visits_per_hour": 3000}, "ecommerce_events": {}, "customer_touchpoints": {"journeys_per_hour": 1500}},
         "run": {"duration": "4s", "max_schedule_lag": "10s", "ingest": {"rate": 400, "wait": true, "batch_max_events": 100},
                 "checks": \(checks), "thresholds": {\(thresholdJSON)}}}
        """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-verdict-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url
    }

    /// For tests about thresholds, not checks: a small plan, each combination asked once.
    static let fewChecks = #"{"settle_timeout": "5s", "probes_per_second": 2, "max_combinations": 30, "cost_queries": 1}"#

    func run(_ scenario: URL, _ extra: String..., expectSummary: Bool = true) throws -> (status: Int32, output: String, summary: [String: Any]) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("starling-verdict-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: scenario) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: releaseBinary)
        process.arguments = ["run", scenario.path, "--out", out.path] + extra
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let data = FileManager.default.contents(atPath: out.appendingPathComponent("summary.json").path) else {
            if expectSummary { Issue.record("no summary.json; the run printed: \(output)") }
            return (process.terminationStatus, output, [:])
        }
        let summary = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (process.terminationStatus, output, summary)
    }

    @Test func passingRunExitsZeroWithEveryCheckPassed() throws {
        let result = try run(try scenario(thresholds: ["checks.failed": "== 0", "ingest.latency.p99": "< 5s", "errors.rate": "< 1%"]))
        #expect(result.status == 0, "\(result.output)")
        let checks = result.summary["checks"] as? [[String: Any]] ?? []
        #expect(checks.count > 30)
        #expect(checks.allSatisfy { $0["status"] as? String == "passed" }, "\(result.output)")
        let freshness = result.summary["freshness"] as? [String: Any]
        #expect((freshness?["visible"] as? Int ?? 0) > 0)
    }

    @Test func impossibleThresholdExitsTwoNamingIt() throws {
        let result = try run(try scenario(thresholds: ["ingest.latency.p50": "< 0.001ms"], checks: Self.fewChecks))
        #expect(result.status == 2)
        #expect(result.output.contains("threshold ingest.latency.p50 < 0.001ms") && result.output.contains("FAILED"))
    }

    @Test func misspelledThresholdMetricIsBadInputBeforeTheRun() throws {
        let result = try run(try scenario(thresholds: ["ingest.latncy.p99": "< 1s"]), expectSummary: false)
        #expect(result.status == 1)
        #expect(result.output.contains("$.run.thresholds") && result.output.contains("'ingest.latncy.p99'"), "\(result.output)")
        #expect(!result.output.contains("running verdict"), "nothing may be sent: \(result.output)")
    }

    @Test func deprecatedMetricNameWarnsAndStillWorks() throws {
        let result = try run(try scenario(thresholds: ["ingest.lost_events": "== 0"], checks: Self.fewChecks))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("'ingest.lost_events' is a deprecated name: write 'ledger.undelivered'"), "\(result.output)")
    }

    @Test func targetThatLosesAcknowledgedRowsFailsItsChecks() throws {
        let result = try run(try scenario(thresholds: [:], checks: #"{"settle_timeout": "2s", "probes_per_second": 0, "max_combinations": 40, "cost_queries": 1}"#),
                             "--local-target-args", "--fault-lose-rows 0.05")
        #expect(result.status == 2, "\(result.output)")
        let checks = result.summary["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["pipe"] as? String == "settle" && $0["status"] as? String == "failed" })
        #expect(checks.filter { $0["status"] as? String == "failed" }.count > 1)
    }
}
