import Foundation
import Testing

/// `starling profile` end to end: a fixtures folder, a scenario, bad input, and the exit codes.
@Suite(.timeLimit(.minutes(2))) struct ProfileCommandTests {
    /// A folder with `files` (name → text), removed by the caller.
    static func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url
    }

    /// Two visits of one visitor, the second starting inside the first: an impossibility whatever
    /// the declared targets.
    static let overlapping = """
    {"visit_id":"visit_1","store_id":"store_1","timestamp":"2025-05-12 10:00:00","visitor_id":"visitor_1","entry_point":"main","exit_point":"main","dwell_time_seconds":600,"tags":["purchasing"]}
    {"visit_id":"visit_2","store_id":"store_1","timestamp":"2025-05-12 10:05:00","visitor_id":"visitor_1","entry_point":"main","exit_point":"main","dwell_time_seconds":60,"tags":[]}

    """

    @Test func helpDescribesTheVerb() throws {
        let viaFlag = try starling("profile", "--help")
        #expect(viaFlag.status == 0)
        #expect(viaFlag.output.contains("USAGE: starling profile"))
        #expect(viaFlag.output.contains("EXIT CODES") && viaFlag.output.contains("EXAMPLES"))
        #expect(try starling("help", "profile").output == viaFlag.output)
        #expect(try starling("help").output.contains("profile "))
    }

    @Test func aFolderWithAnImpossibilityExitsTwo() throws {
        let dir = try Self.folder(["store_visits.ndjson": Self.overlapping, "notes.txt": "hello"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try starling("profile", dir.path)
        #expect(text.status == 2, "\(text.error)")
        #expect(text.output.contains("visitor_1: visit_2 starts 2025-05-12 10:05:00 before visit_1 ends 10:10:00"))
        #expect(text.output.contains("notes.txt: not a .ndjson or .csv file"))
        #expect(text.output.contains("verdict: failed"))

        let json = try starling("profile", dir.path, "--json")
        #expect(json.status == 2)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == false)
        let visits = try #require((report["datasources"] as? [[String: Any]])?.first)
        let impossibilities = try #require(visits["impossibilities"] as? [[String: Any]])
        #expect(impossibilities.first { $0["name"] as? String == "overlapping_visits" }?["count"] as? Int == 1)

        let one = try starling("profile", dir.appendingPathComponent("store_visits.ndjson").path)
        #expect(one.status == 2 && one.output.contains("overlapping_visits") && !one.output.contains("notes.txt"))
    }

    @Test func badInputIsOneLineAndExitsOne() throws {
        let lines = """
        {"event_time":"2025-05-12 00:00:00","event_type":"view","user_id":"u","product_id":"p","category":"c","price":1,"quantity":1,"session_id":"s","country":"US"}
        {"event_type":"view","user_id":"u"}
        """
        let dir = try Self.folder(["ecommerce_events.ndjson": lines])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try starling("profile", dir.path)
        #expect(result.status == 1)
        #expect(result.error == "starling: \(dir.path)/ecommerce_events.ndjson line 2: no event_time\n")

        let empty = try Self.folder(["README.md": "nothing here"])
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try starling("profile", empty.path)
        #expect(none.status == 1 && none.error.contains("no store_visits, ecommerce_events, customer_touchpoints .ndjson or .csv file"))
        let misuse = try starling("profile", empty.path, "--duration", "1d")
        #expect(misuse.status == 1 && misuse.error.contains("--duration is for a scenario"))
        let missing = try starling("profile", empty.path + "/nowhere/")
        #expect(missing.status == 1 && missing.error.contains("nowhere/: no such folder"))
    }

    /// A scenario is generated in memory: its exit code is the report's verdict.
    @Test func aScenarioIsProfiledInMemory() throws {
        let result = try starling("profile", "ci-smoke", "--duration", "2h", "--seed", "3", "--json")
        #expect(result.status == 0 || result.status == 2, "\(result.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((report["passed"] as? Bool) == (result.status == 0))
        #expect((report["source"] as? String)?.contains("seed 3") == true)
        let names = (report["datasources"] as? [[String: Any]])?.compactMap { $0["datasource"] as? String }
        #expect(names == ["store_visits", "ecommerce_events", "customer_touchpoints"])
    }
}
