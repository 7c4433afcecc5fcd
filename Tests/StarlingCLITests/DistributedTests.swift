import Foundation
import Testing

/// `scripts/bench/distributed-local`: N shard processes against one local target, merged and verified.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary)
        && ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil, "needs the release build and the local target's venv"))
struct DistributedTests {
    func json(_ url: URL) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: url.path), "\(url.path) is missing")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func ledger(_ summary: [String: Any]) -> [String: Int] {
        (summary["ingest"] as? [String: Any])?["ledger"] as? [String: Int] ?? [:]
    }

    func count(_ summary: [String: Any], stream: String) -> Int {
        ((summary["streams"] as? [String: Any])?[stream] as? [String: Any])?["count"] as? Int ?? -1
    }

    /// Runs `scripts/bench/distributed-local` (4 s of load) into a new folder, expecting exit 0 (with the
    /// script's errors and each shard's log when not); returns the folder.
    func distributedLocal(shards: Int, scenario: String) throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("starling-distributed-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/bench/distributed-local")
        process.arguments = [String(shards), scenario, "--duration", "4s", "--out", out.path]
        process.currentDirectoryURL = root
        process.environment = ProcessInfo.processInfo.environment.merging(["STARLING_BIN": releaseBinary]) { $1 }
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let logs = (0..<shards).map { (try? String(contentsOf: out.appendingPathComponent("shard-\($0).log"), encoding: .utf8)) ?? "" }
        #expect(process.terminationStatus == 0, "exit \(process.terminationStatus): \(errors)\n\(logs.joined(separator: "\n"))")
        return out
    }

    /// Three shards of ci-smoke: the merged ledger is the sum of the shards', the merged histograms
    /// count every shard's requests, and every check of the merged results passes.
    @Test func threeShardsOfTheSmokeScenarioMergeAndPass() throws {
        // ci-smoke with its latency thresholds lifted: this test is about the merge, and scripts/test
        // runs it beside other lanes, where three shards and their target share two cores.
        let text = try String(contentsOf: root.appendingPathComponent("scenarios/ci-smoke.json"), encoding: .utf8)
        var scenario = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var run = try #require(scenario["run"] as? [String: Any])
        run["thresholds"] = ["errors.rate": "< 1%", "checks.failed": "== 0"]
        scenario["run"] = run
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("starling-distributed-ci-smoke-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: scenario).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try distributedLocal(shards: 3, scenario: file.path)
        defer { try? FileManager.default.removeItem(at: out) }

        let shards = try (0..<3).map { try json(out.appendingPathComponent("shard-\($0)/summary.json")) }
        let merged = try json(out.appendingPathComponent("merged/summary.json"))
        for key in ["generated", "acknowledged", "quarantined", "rejected", "failed", "not_sent"] {
            #expect(ledger(merged)[key] == shards.map { ledger($0)[key] ?? 0 }.reduce(0, +), "ledger \(key)")
        }
        #expect((ledger(merged)["generated"] ?? 0) > 0)
        #expect(shards.allSatisfy { (ledger($0)["generated"] ?? 0) > 0 }, "every shard sent some of the events")
        for stream in ["ingest", "query.visits_by_store"] where count(shards[0], stream: stream) >= 0 {
            #expect(count(merged, stream: stream) == shards.map { count($0, stream: stream) }.reduce(0, +), "\(stream) histogram count")
        }
        let checks = try #require(merged["checks"] as? [[String: Any]])
        #expect(checks.count > 14, "every pipe checked: \(checks.count) checks")
        let notPassed = checks.filter { $0["status"] as? String != "passed" }
        #expect(notPassed.isEmpty, "\(notPassed.prefix(3))")
        #expect(merged["valid"] as? Bool == true, "\(merged["invalid_reasons"] ?? "")")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("merged/report.html").path))
    }

    /// A scenario of a user's project (`"project": "."`, relative to its file): the shards' target
    /// serves that project, the shards query its own endpoints, and the merge settles the merged
    /// results against it — `run`, `merge` and `verify` choose the project the same way
    /// (`ScenarioCatalog.project(for:)`). distributed-local served the built-in project (the shards'
    /// preflight then found no `bounce_rate`), verify used it too, and `oracle-state.json` resolved
    /// the relative project against the current folder.
    @Test func aUserProjectsShardsRunAndMergeAgainstItsOwnProject() throws {
        let out = try distributedLocal(shards: 2, scenario: "scenarios/examples/web-analytics/scenario.json")
        defer { try? FileManager.default.removeItem(at: out) }
        let merged = try json(out.appendingPathComponent("merged/summary.json"))
        for pipe in ["bounce_rate", "daily_pageviews", "sessions_by_source"] {
            #expect(count(merged, stream: "query.\(pipe)") > 0, "the project's own \(pipe) was queried")
        }
        #expect((ledger(merged)["acknowledged"] ?? 0) > 0 && ledger(merged)["acknowledged"] == ledger(merged)["generated"])
        let checks = merged["checks"] as? [[String: Any]] ?? []
        #expect(checks.allSatisfy { $0["status"] as? String == "passed" }, "\(checks.prefix(3))")
        #expect(merged["valid"] as? Bool == true, "\(merged["invalid_reasons"] ?? "")")
    }

    /// A shard that reaches its schedule after --start-at is invalid, saying so (not blaming its CPU),
    /// and still leaves its oracle-state.json; verifying its folder alone is refused.
    @Test func aLateShardIsInvalidAndSaysWhy() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("starling-late-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let past = String(Int(Date().timeIntervalSince1970) - 5)
        let result = try starling("run", "ci-smoke", "--target", "fake", "--shard", "1/3", "--start-at", past, "--duration", "2s",
                                  "--out", out.path, "--no-progress")
        #expect(result.status == 3, "\(result.output)\(result.error)")
        #expect(result.output.contains("shard 1/3 started") && result.output.contains("after --start-at"), "\(result.output)")
        #expect(!result.output.contains("its CPU"), "\(result.output)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("oracle-state.json").path))
        let verify = try starling("verify", out.path)
        #expect(verify.status == 1)
        #expect(verify.error.contains("holds shard 1/3 only"), "\(verify.error)")
    }

    /// A folder that is not a shard's, and a shard set with one missing, are refused with one line.
    @Test func mergeRefusesWhatIsNotOneRunsShards() throws {
        let notShard = FileManager.default.temporaryDirectory.appendingPathComponent("starling-notshard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: notShard, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: notShard) }
        let result = try starling("merge", notShard.path, "--out", notShard.path + "-merged")
        #expect(result.status == 1)
        #expect(result.error.contains("oracle-state.json"), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        let usage = try starling("merge", notShard.path)
        #expect(usage.status == 1)
        #expect(usage.error.contains("--out"))
    }
}
