import Foundation
import StarlingApp
import StarlingDisk
import StarlingRun
import StarlingSim
import Testing

/// Issue 26's hostile servers, each against a whole run (in process): whatever the server does,
/// the run ends within its planned end + drain timeout + 2 s, memory stays within the documented
/// bound, the ledger balances, and the summary names the cause.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HostileServerTests {
    static let duration = 2.0
    static let drain = 2.0

    /// A run of `store_visits` (uncompressed, so the `ok` mode can count lines) with one pipe queried.
    static func scenario() throws -> Scenario {
        let json = """
        {"format": 1, "name": "hostile", "seed": 4, "start": "2025-05-12 00:00:00",
         "datasources": {"store_visits": {"visits_per_hour": 3000}},
         "run": {"duration": "\(Int(duration))s", "event_time": "simulated", "drain_timeout": "\(Int(drain))s",
                 "ingest": {"rate": 400, "batch_max_events": 50, "batch_max_linger": "100ms", "gzip": false, "max_in_flight": 2,
                            "retry_max_attempts": 2, "retry_initial_backoff": "50ms"},
                 "queries": [{"pipe": "visits_by_store", "rate": 10}],
                 "checks": {"correctness": false, "probes_per_second": 0}}}
        """
        return try Scenario(json: Data(json.utf8), source: "hostile.json")
    }

    struct Measured {
        var summary: RunSummary
        var seconds: Double
        var peakGrowthBytes: Int
    }

    static func run(against server: HostileServer) throws -> Measured {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-hostile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = LoadRunOptions(localTarget: .init(project: "unused"))
        options.target = TargetChoice(server.url)
        options.token = "test-token"
        options.out = folder
        let before = ProcessMemory.resident ?? 0
        ProcessMemory.resetPeak()
        let began = ContinuousClock.now
        let (outcome, _) = try LoadRun.execute(try scenario(), options: options) { _ in }
        let took = ContinuousClock.now - began
        let peak = ProcessMemory.peakResident ?? 0
        return Measured(summary: outcome.summary, seconds: Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18,
                        peakGrowthBytes: max(0, peak - before))
    }

    /// Bounds every run must keep: time, memory (the documented ~112 MiB ingest bound plus
    /// query_concurrency × pipe_answer_max_bytes, as growth over the test process), the ledger.
    static func expectBounded(_ m: Measured, _ what: String) {
        #expect(m.seconds <= duration + drain + 2 + 1, "\(what): the run took \(m.seconds) s, phases \(m.summary.phases ?? [:]), \(m.summary.stop?.message ?? "")")  // +1: start and write
        #expect(m.peakGrowthBytes < 200 << 20, "\(what): memory grew by \(m.peakGrowthBytes >> 20) MiB")
        let l = m.summary.ingest.ledger
        #expect(l.generated > 0 && l.generated == l.acknowledged + l.quarantined + l.rejected + l.failed + l.notSent, "\(what): \(l)")
    }

    /// What the Events API does, and the cause the summary must give for it.
    @Test(arguments: [
        (HostileServer.Mode.trickleHead, "timeout"), (.trickleBody, "timeout"), (.endlessChunked, "too_large"),
        (.hugeContentLength, "too_large"), (.notJSON, "unconfirmed"), (.impossibleCounts, "unconfirmed"),
        (.resetMidHead, "cut_short"), (.headerFlood, "too_large"),
    ])
    func aHostileEventsAPIIsBoundedAndNamed(mode: HostileServer.Mode, cause: String) throws {
        let server = try HostileServer(events: mode)
        defer { server.stop() }
        let m = try Self.run(against: server)
        Self.expectBounded(m, mode.rawValue)
        let causes = m.summary.ingest.errors
        #expect(causes.keys.contains { $0.hasPrefix(cause) }, "\(mode): causes \(causes)")
        #expect(m.summary.ingest.ledger.acknowledged == 0, "\(mode): nothing can be acknowledged")
    }

    /// What the pipes do (after the preflight's question), and the cause the query's summary gives.
    @Test(arguments: [
        (HostileServer.Mode.trickleHead, "timeout"), (.trickleBody, "timeout"), (.endlessChunked, "too_large"),
        (.hugeContentLength, "too_large"), (.resetMidHead, "cut_short"), (.headerFlood, "too_large"),
    ])
    func hostilePipesAreBoundedAndNamed(mode: HostileServer.Mode, cause: String) throws {
        let server = try HostileServer(events: .ok, pipes: mode, pipesHostileAfter: 1)
        defer { server.stop() }
        let m = try Self.run(against: server)
        Self.expectBounded(m, mode.rawValue)
        let causes = m.summary.queries["visits_by_store"]?.errors ?? [:]
        #expect(causes.keys.contains { $0.hasPrefix(cause) }, "\(mode): causes \(causes)")
        #expect(m.summary.ingest.ledger.acknowledged == m.summary.ingest.ledger.generated, "\(mode): the Events API was fine")
    }
}
