import Foundation
import StarlingApp
import StarlingDisk
import StarlingNet
import StarlingRun
import StarlingSim
import Testing

/// Issue 26, findings 1 and 9, end to end: `replay` of a tampered results folder is refused naming
/// the file, before anything is sent — a capture server sees no request — and an untouched folder
/// is replayed exactly.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ReplayCaptureTests {
    /// A run whose every batch was rejected (400): its dead letter holds all its events.
    static func rejectedRun() throws -> (folder: String, events: Int) {
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .always(.status(400))))
        defer { target.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-replay-capture-\(UUID().uuidString)").path
        var options = LoadRunOptions(localTarget: .init(project: "unused"))
        options.target = TargetChoice("http://\(target.url.host):\(target.url.port)")
        options.token = "test-token"
        options.out = folder
        let json = """
        {"format": 1, "name": "replay-capture", "seed": 9, "start": "2025-05-12 00:00:00",
         "datasources": {"store_visits": {"visits_per_hour": 3000}},
         "run": {"duration": "1s", "event_time": "simulated", "drain_timeout": "3s",
                 "ingest": {"rate": 500, "batch_max_events": 50, "gzip": false},
                 "queries": [], "checks": {"correctness": false, "probes_per_second": 0}}}
        """
        let (outcome, _) = try LoadRun.execute(try Scenario(json: Data(json.utf8), source: "replay-capture.json"), options: options) { _ in }
        return (folder, outcome.summary.ingest.deadLetterLines)
    }

    @Test func aTamperedFolderSendsNothingAndAnUntouchedOneSendsItsDeadLetter() throws {
        let (folder, events) = try Self.rejectedRun()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(events > 100)
        let visits = folder + "/deadletter/store_visits.ndjson", index = folder + "/deadletter/batches.ndjson"
        let originals = try [visits, index].map { ($0, try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("starling-outside-\(UUID().uuidString)").path
        try Data("{\"secret\":\"outside the folder\"}\n".utf8).write(to: URL(fileURLWithPath: outside))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        func restore() throws {
            for (path, data) in originals {
                try? FileManager.default.removeItem(atPath: path)
                try data.write(to: URL(fileURLWithPath: path))
            }
        }
        let tamperings: [(String, () throws -> Void, String)] = [
            ("a symbolic link out of the folder", {
                try FileManager.default.removeItem(atPath: visits)
                try FileManager.default.createSymbolicLink(atPath: visits, withDestinationPath: outside)
            }, visits),
            ("a datasource that leaves the folder", {
                let text = try String(contentsOfFile: index, encoding: .utf8)
                try Data(text.replacingOccurrences(of: "\"store_visits\"", with: "\"../../loot\"").utf8).write(to: URL(fileURLWithPath: index))
            }, index),
            ("an altered line", {
                let text = try String(contentsOfFile: visits, encoding: .utf8)
                try Data(text.replacingOccurrences(of: "store_", with: "store_9").utf8).write(to: URL(fileURLWithPath: visits))
            }, visits),
        ]
        for (name, tamper, file) in tamperings {
            try restore()
            try tamper()
            let capture = try FakeTarget(behavior: FakeTargetBehavior(keepsEventBodies: true))
            defer { capture.stop() }
            #expect {
                _ = try Replay.execute(results: folder, target: "http://127.0.0.1:\(capture.url.port)", token: "t", out: folder + "/replay-\(UUID().uuidString)") { _ in }
            } throws: { error in
                "\(error)".contains(file) && !"\(error)".contains("\n")
            }
            #expect(capture.stats.requests == 0, "\(name): the capture server got \(capture.stats.requests) requests")
        }
        try restore()
        let capture = try FakeTarget(behavior: FakeTargetBehavior(keepsEventBodies: true))
        defer { capture.stop() }
        let (replayed, _) = try Replay.execute(results: folder, target: "http://127.0.0.1:\(capture.url.port)", token: "t", out: folder + "/replay-ok") { _ in }
        #expect(replayed.ledger.acknowledged == events)
        let sent = capture.acknowledgedEventLines()
        #expect(sent.count == events && !sent.contains { $0.contains("outside the folder") })
        // Byte for byte (batches go out concurrently, so in any order).
        #expect(sent.sorted() == (try String(contentsOfFile: visits, encoding: .utf8)).split(separator: "\n").map(String.init).sorted())
    }
}
