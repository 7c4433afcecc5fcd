import Foundation
import Testing

/// A Tinybird project that is not a seed, end to end against the local target: a scenario written by
/// `starling init`, the example project's own scenario, its mutated twin, and the reference replay
/// beside the Swift oracles on the seed project.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary)
        && ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil, "needs the release build and the local target's venv"))
struct AnyProjectTests {
    static let example = root.appendingPathComponent("scenarios/examples/web-analytics").path
    static let endpoints = ["bounce_rate", "daily_pageviews", "sessions_by_source", "trending_pages"]

    func checks(_ result: StarlingRunResult) -> [[String: Any]] { result.summary["checks"] as? [[String: Any]] ?? [] }

    func isReference(_ check: [String: Any]) -> Bool { (check["purpose"] as? String)?.hasPrefix("reference replay") == true }

    func queried(_ result: StarlingRunResult, _ pipe: String) -> Int {
        ((result.summary["streams"] as? [String: Any])?["query.\(pipe)"] as? [String: Any])?["count"] as? Int ?? 0
    }

    @Test func aScenarioWrittenByInitRunsAndEveryEndpointIsQueriedAndChecked() throws {
        let written = try starling("init", "--project", Self.example)
        #expect(written.status == 0, "\(written.error)")
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("starling-init-\(UUID().uuidString).json")
        try Data(written.output.utf8).write(to: scenario)
        defer { try? FileManager.default.removeItem(at: scenario) }
        let result = try runStarling(releaseBinary, ["run", scenario.path, "--duration", "6s"])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.ledger["acknowledged"] ?? 0 > 0 && result.ledger["acknowledged"] == result.ledger["generated"])
        for pipe in Self.endpoints {
            #expect(queried(result, pipe) > 0, "\(pipe) is in the query mix")
            #expect(checks(result).contains { $0["pipe"] as? String == pipe && isReference($0) }, "\(pipe) is checked by the reference replay")
        }
        #expect(checks(result).allSatisfy { $0["status"] as? String == "passed" }, "\(result.output)")
    }

    @Test func theExampleScenarioPassesAndItsMutatedTwinFailsNamingTheEndpoint() throws {
        let scenario = Self.example + "/scenario.json"
        let original = try runStarling(releaseBinary, ["run", scenario, "--duration", "6s"])
        defer { try? FileManager.default.removeItem(at: original.folder) }
        #expect(original.status == 0, "\(original.output)\(original.errors)")
        #expect(checks(original).count > 20)
        #expect(checks(original).allSatisfy { $0["status"] as? String == "passed" })
        // page_views has no uuid column: its probes are keyed by timestamp, session_id and user_id.
        let freshness = original.summary["freshness"] as? [String: Any] ?? [:]
        #expect(freshness["probes"] as? Int ?? 0 > 0 && freshness["visible"] as? Int == freshness["probes"] as? Int, "\(freshness)")

        let twin = root.appendingPathComponent("scenarios/examples/web-analytics-twin").path
        let mutated = try runStarling(releaseBinary, ["run", scenario, "--duration", "6s", "--local-target-args", "--project \(twin)"])
        defer { try? FileManager.default.removeItem(at: mutated.folder) }
        #expect(mutated.status == 2, "\(mutated.output)\(mutated.errors)")
        let failed = checks(mutated).filter { $0["status"] as? String == "failed" }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0["pipe"] as? String == "trending_pages" }, "only the mutated endpoint fails")
        #expect(mutated.output.contains("failed trending_pages"))
    }

    @Test func onTheSeedProjectTheReferenceAgreesWithTheOraclesOnEveryCombination() throws {
        let text = try String(contentsOf: root.appendingPathComponent("scenarios/ci-smoke.json"), encoding: .utf8)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var run = try #require(json["run"] as? [String: Any])
        var checks = run["checks"] as? [String: Any] ?? [:]
        checks["reference"] = true
        // Half the default plan: still every pipe and well over a hundred combinations, each asked
        // of the target and of the reference (the test is about their agreement, not the plan).
        checks["max_combinations"] = 150
        run["checks"] = checks
        run["duration"] = "6s"
        // About agreement, not capacity: batches of up to a second, so that the local target (which
        // also answers the reference's queries here) inserts a few large blocks rather than ten small
        // ones a second, and a busy machine (scripts/test runs lanes side by side) cannot make the
        // run invalid.
        var ingest = try #require(run["ingest"] as? [String: Any])
        ingest["batch_max_linger"] = "1s"
        run["ingest"] = ingest
        json["run"] = run
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("starling-ci-reference-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: json).write(to: scenario)
        defer { try? FileManager.default.removeItem(at: scenario) }
        let result = try runStarling(releaseBinary, ["run", scenario.path])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        let all = self.checks(result)
        let oracle = all.filter { !isReference($0) }.map { "\($0["pipe"] ?? "")?\($0["parameters"] ?? "")" }
        let reference = all.filter(isReference).map { "\($0["pipe"] ?? "")?\($0["parameters"] ?? "")" }
        #expect(oracle.count > 100)
        #expect(Set(reference) == Set(oracle), "the reference is asked every combination the oracles are")
        #expect(all.allSatisfy { $0["status"] as? String == "passed" }, "\(result.output)")
    }

    /// A project with a ReplacingMergeTree datasource (its rows merge away by sorting key) read by a
    /// pipe without FINAL, and one with a TTL read with DateTime64 BETWEEN bounds: `init → run`
    /// settles, queries both without errors, and says why a merge-dependent difference is not a failure.
    @Test func mergingEnginesAndDateTime64ParametersRunEndToEnd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-odd-project-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for sub in ["datasources", "endpoints"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let files = [
            "datasources/metrics.datasource": "SCHEMA >\n    `day` Date `json:$.day`,\n    `host` LowCardinality(String) `json:$.host`,\n    `value` Float32 `json:$.value`\n\nENGINE \"ReplacingMergeTree\"\nENGINE_SORTING_KEY \"host, day\"\n",
            "datasources/clicks.datasource": "SCHEMA >\n    `ts` DateTime64(3) `json:$.ts`,\n    `user` String `json:$.user`,\n    `amount` Decimal(10, 2) `json:$.amount`\n\nENGINE_SORTING_KEY \"user\"\nENGINE_TTL \"toDateTime(ts) + toIntervalDay(30)\"\n",
            "endpoints/hosts.pipe": "NODE n\nSQL >\n    %\n    SELECT host, count() AS n FROM metrics\n    WHERE day >= {{Date(since, '2020-01-01')}}\n    GROUP BY host ORDER BY n DESC, host\n\nTYPE endpoint\n",
            "endpoints/spend.pipe": "NODE n\nSQL >\n    %\n    SELECT user, sum(amount) AS total FROM clicks\n    WHERE ts BETWEEN {{DateTime64(from_ts, '2020-01-01 00:00:00.000')}} AND {{DateTime64(to_ts, '2099-01-01 00:00:00.000')}}\n    GROUP BY user ORDER BY total DESC, user LIMIT 5\n\nTYPE endpoint\n",
        ]
        for (path, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(path)) }
        let written = try starling("init", "--project", folder.path)
        #expect(written.status == 0, "\(written.error)")
        #expect(written.output.contains("\"from_ts\": \"$window_start_ms\", \"to_ts\": \"$window_end_ms\""))
        #expect(written.output.contains("\"event_time\": \"live\""), "a TTL would drop rows stamped in the past")
        let scenario = folder.appendingPathComponent("scenario.json")
        try Data(written.output.utf8).write(to: scenario)
        let result = try runStarling(releaseBinary, ["run", scenario.path, "--duration", "4s"])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(!checks(result).contains { $0["pipe"] as? String == "settle" }, "settled although metrics holds fewer rows than sent")
        #expect(queried(result, "spend") > 0 && queried(result, "hosts") > 0)
        let errors = (result.summary["queries"] as? [String: [String: Any]] ?? [:]).mapValues { $0["errors"] as? [String: Int] ?? [:] }
        #expect(errors.values.allSatisfy { $0.isEmpty }, "\(errors)")
        let spend = checks(result).filter { $0["pipe"] as? String == "spend" }
        #expect(spend.count > 5 && spend.allSatisfy { $0["status"] as? String == "passed" }, "\(spend)")
        #expect((result.summary["warnings"] as? [String] ?? []).contains { $0.contains("metrics's engine merges rows") })
    }

    @Test func generateWorksFromAProjectAloneAndBadProjectsSayWhere() throws {
        let generated = try starling("generate", "--project", Self.example, "--events", "50", "--out", "-")
        #expect(generated.status == 0, "\(generated.error)")
        #expect(generated.output.split(separator: "\n").count == 50)
        #expect(generated.output.contains("\"location\":{\"country\""))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-bad-project-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("datasources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("datasources/events.datasource")
        try Data("SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `n` Int33 `json:$.n`\n".utf8).write(to: file)
        let unparsable = try starling("init", "--project", folder.path)
        #expect(unparsable.status == 1)
        #expect(unparsable.error.split(separator: "\n").count == 1)
        #expect(unparsable.error.contains("events.datasource:3: expected a ClickHouse type for column n"))

        try Data("SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `pair` Tuple(String, UInt8) `json:$.pair`\n".utf8).write(to: file)
        let noGenerator = try starling("generate", "--project", folder.path, "--events", "5", "--out", "-")
        #expect(noGenerator.status == 1)
        #expect(noGenerator.error.split(separator: "\n").count == 1)
        #expect(noGenerator.error.contains("columns.pair: expected a field spec: Starling has no default generator for type Tuple(String, UInt8)"))

        try Data("SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `plan` String `json:$.plan`\n".utf8).write(to: file)
        let scenario = folder.appendingPathComponent("scenario.json")
        try Data(#"{"format": 1, "project": ".", "datasources": {"events": {"columns": {"plan": {"one_of": {"free": "many"}}}}}}"#.utf8).write(to: scenario)
        let badSpec = try starling("generate", scenario.path, "--events", "5", "--out", "-")
        #expect(badSpec.status == 1)
        #expect(badSpec.error.split(separator: "\n").count == 1)
        #expect(badSpec.error.contains("$.datasources.events.columns.plan.one_of.free: expected a weight ≥ 0, found \"many\""))

        let missing = try starling("init", "--project", "/nonexistent/project")
        #expect(missing.status == 1 && missing.error.contains("no such folder"))
    }
}
