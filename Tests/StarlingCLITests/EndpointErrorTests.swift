import Foundation
import Testing

/// A run never passes while an endpoint answers errors: on the target (the default error-rate
/// threshold, with the error's text in the console and the summary) or on the reference (its check
/// fails, never "agrees").
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary)
        && ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil, "needs the release build and the local target's venv"))
struct EndpointErrorTests {
    static let datasource = "SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `user_id` String `json:$.user_id`,\n    `amount` Float64 `json:$.amount`\n\nENGINE_SORTING_KEY \"ts\"\n"
    static let working = "NODE totals\nSQL >\n    SELECT user_id, count() AS n FROM events GROUP BY user_id ORDER BY n DESC, user_id LIMIT 10\n\nTYPE endpoint\n"
    static let broken = "NODE totals\nSQL >\n    SELECT user_id, throwIf(count() > 0, 'broken on purpose') AS n FROM events GROUP BY user_id ORDER BY user_id\n\nTYPE endpoint\n"

    /// A project with `events` and two endpoints, `fine` and `totals` (its SQL given).
    func project(totals: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-errors-\(UUID().uuidString)")
        for sub in ["datasources", "endpoints"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data(Self.datasource.utf8).write(to: folder.appendingPathComponent("datasources/events.datasource"))
        try Data(Self.working.replacingOccurrences(of: "totals", with: "fine_node").utf8).write(to: folder.appendingPathComponent("endpoints/fine.pipe"))
        try Data(totals.utf8).write(to: folder.appendingPathComponent("endpoints/totals.pipe"))
        return folder
    }

    func scenario(for folder: URL) throws -> URL {
        let written = try starling("init", "--project", folder.path)
        #expect(written.status == 0, "\(written.error)")
        let scenario = folder.appendingPathComponent("scenario.json")
        try Data(written.output.utf8).write(to: scenario)
        return scenario
    }

    @Test func anEndpointFailingEveryRequestFailsTheRunNamingItsError() throws {
        let folder = try project(totals: Self.broken)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runStarling(releaseBinary, ["run", try scenario(for: folder).path, "--duration", "4s"])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 2, "\(result.output)\(result.errors)")
        #expect(result.output.contains("threshold query.totals.errors.rate <= 1%: 100.000 FAILED"), "\(result.output)")
        #expect(result.output.contains("threshold query.fine.errors.rate <= 1%: 0.000 ok"), "\(result.output)")
        #expect(result.output.contains(/query totals errors ×\d+: HTTP 400: .*broken on purpose/), "\(result.output)")
        let queries = result.summary["queries"] as? [String: [String: Any]] ?? [:]
        let messages = queries["totals"]?["error_messages"] as? [String: Int] ?? [:]
        #expect(messages.count == 1 && messages.keys.allSatisfy { $0.contains("broken on purpose") }, "\(messages)")
        #expect(queries["fine"]?["error_messages"] == nil)
        let checks = result.summary["checks"] as? [[String: Any]] ?? []
        let totals = checks.filter { $0["pipe"] as? String == "totals" }
        #expect(!totals.isEmpty && totals.allSatisfy { $0["status"] as? String == "failed" }, "an error on both sides is no agreement: \(totals)")
        let report = try String(contentsOf: result.folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("broken on purpose"))
    }

    @Test func aReferenceThatFailsFailsTheCheckWhileTheTargetAnswers() throws {
        let folder = try project(totals: Self.broken)
        let twin = try project(totals: Self.working)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: twin)
        }
        // The target serves the working twin; the reference serves the scenario's own project.
        let result = try runStarling(releaseBinary, ["run", try scenario(for: folder).path, "--duration", "4s",
                                                     "--local-target-args", "--project \(twin.path)"])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 2, "\(result.output)\(result.errors)")
        #expect(result.output.contains("threshold query.totals.errors.rate <= 1%: 0.000 ok"), "\(result.output)")
        let checks = result.summary["checks"] as? [[String: Any]] ?? []
        let totals = checks.filter { $0["pipe"] as? String == "totals" }
        #expect(!totals.isEmpty && totals.allSatisfy { $0["status"] as? String == "failed" }, "\(totals)")
        #expect(totals.allSatisfy { ($0["reason"] as? String ?? "").contains("the reference refused the request") && ($0["reason"] as? String ?? "").contains("broken on purpose") })
        #expect(checks.filter { $0["pipe"] as? String == "fine" }.allSatisfy { $0["status"] as? String == "passed" })
    }

    @Test func aProjectWithoutEndpointsPassesAndSaysSo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-no-endpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("datasources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.datasource.utf8).write(to: folder.appendingPathComponent("datasources/events.datasource"))
        let scenario = try scenario(for: folder)
        #expect(try String(contentsOf: scenario, encoding: .utf8).contains("the project has no endpoint, so nothing is queried"))
        let result = try runStarling(releaseBinary, ["run", scenario.path, "--duration", "2s"])
        defer { try? FileManager.default.removeItem(at: result.folder) }
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("warning: the project \(folder.path) has no endpoint"), "\(result.output)")
    }
}
