import Foundation
import StarlingDisk
import StarlingMetrics
import StarlingSim
import Testing
@testable import StarlingApp
@testable import StarlingRun

/// `ShardMerge.mergeSummaries` on numbers, without a run: the arithmetic a distributed run's
/// merged summary rests on (until now checked only end to end, by `DistributedTests`).
@Suite struct ShardMergeTests {
    /// Shard `index` of `count` of a tiny scenario, with this ledger (nothing is generated: the
    /// state carries the shard's identity and ledger, which is all the summary merge reads).
    static func state(_ index: Int, of count: Int, ledger: LedgerCounts) throws -> ShardState {
        let text = #"{"format": 1, "name": "merge", "seed": 4, "datasources": {"store_visits": {}}, "run": {"duration": "2s"}}"#
        var plan = RunPlan(scenario: try Scenario(json: Data(text.utf8), source: "merge.json"), token: "t")
        plan.shard = try #require(ShardSpec(parsing: "\(index)/\(count)"))
        let sent = SentEvents(plan: plan, startWallSeconds: 1_764_460_800, generated: 0, lastOffset: plan.duration)
        var state = ShardState(plan: plan, scenarioText: text, rateOverride: nil, sent: sent, ledger: ledger, landed: [:])
        // As if its schedule had generated what its ledger says (the merge refuses a shard whose
        // counts disagree).
        state.shards[0].generated = ledger.generated
        state.shards[0].digests = ["store_visits": ShardState.Digest(events: ledger.generated, fnv1a: "0")]
        return state
    }

    static func ledger(_ generated: Int, acknowledged: Int, rejected: Int = 0, failed: Int = 0, notSent: Int = 0) -> LedgerCounts {
        var counts = LedgerCounts()
        (counts.generated, counts.acknowledged, counts.rejected, counts.failed, counts.notSent) = (generated, acknowledged, rejected, failed, notSent)
        return counts
    }

    /// A shard's summary: `answers` answers of pipe `p` at `elapsed` ms each on the server.
    static func summary(shard: String, ledger: LedgerCounts, requests: Int, answers: Int, elapsed: Double, errors: Int = 0,
                        invalid: [String] = [], stop: StopSummary? = nil) -> RunSummary {
        var histogram = HDRHistogram()
        histogram.record(2000, count: UInt64(answers))
        var summary = RunSummary(
            scenario: "merge", seed: 4, shard: shard, target: "http://127.0.0.1:1", startedAt: "2026-12-07T10:00:0\(shard.prefix(1))Z",
            plannedSeconds: 2, elapsedSeconds: 2 + Double(shard.prefix(1))!, valid: invalid.isEmpty, invalidReasons: invalid, stoppedEarly: nil,
            ingest: IngestSummary(ledger: ledger, offeredEventsPerSecond: 100, achievedEventsPerSecond: 90, requests: requests, gzip: false,
                                  wait: true, maxInFlight: 4, batchMaxEvents: 50, errors: errors > 0 ? ["503": errors] : [:],
                                  deadLetterFile: nil, deadLetterLines: ledger.undelivered),
            streams: ["query.p": StreamSummary(histogram, errors: 0)], scheduleLag: [:],
            queries: ["p": QuerySummary(offeredPerSecond: 2, achievedPerSecond: 2, errors: [:], serverElapsedMs: elapsed,
                                        serverRowsRead: elapsed * 10, serverBytesRead: nil)])
        summary.stop = stop
        return summary
    }

    @Test func countsAddUpAndLedgersBalance() throws {
        let ledgers = [Self.ledger(100, acknowledged: 100), Self.ledger(80, acknowledged: 70, rejected: 4, failed: 6),
                       Self.ledger(120, acknowledged: 110, notSent: 10)]
        let states = try (0..<3).map { try Self.state($0, of: 3, ledger: ledgers[$0]) }
        let state = try ShardState.merge(states, sources: ["a", "b", "c"])
        let summaries = (0..<3).map { Self.summary(shard: "\($0)/3", ledger: ledgers[$0], requests: 10 + $0, answers: 10 * ($0 + 1),
                                                   elapsed: Double($0 + 1), errors: $0) }
        var totals: [StreamName: HDRHistogram] = [:]
        for s in summaries {
            var h = HDRHistogram()
            h.record(2000, count: s.streams["query.p"]!.count)
            totals["query.p", default: HDRHistogram()].add(h)
        }
        let merged = ShardMerge.mergeSummaries(summaries, totals: totals, state: state)

        let ledger = merged.ingest.ledger
        #expect(ledger.generated == 300 && ledger.acknowledged == 280 && ledger.rejected == 4 && ledger.failed == 6 && ledger.notSent == 10)
        #expect(ledger.balanced)
        #expect(merged.ingest.deadLetterLines == 20 && merged.ingest.deadLetterFile != nil, "the dead letters are concatenated")
        #expect(merged.ingest.requests == 33)
        #expect(merged.ingest.offeredEventsPerSecond == 300 && merged.ingest.achievedEventsPerSecond == 270)
        #expect(merged.ingest.errors == ["503": 3])
        #expect(merged.streams["query.p"]?.count == 60, "the merged histogram counts every shard's answers")
        // Server time per answer, weighted by each shard's answers: (10·1 + 20·2 + 30·3) / 60.
        let elapsed = try #require(merged.queries["p"]?.serverElapsedMs)
        #expect(abs(elapsed - 140.0 / 60) < 1e-9)
        #expect(merged.queries["p"]?.offeredPerSecond == 6)
        #expect(merged.elapsedSeconds == 4, "the longest shard")
        #expect(merged.startedAt == "2026-12-07T10:00:00Z", "the earliest start")
        #expect(merged.checks.first?.status == .skipped, "checked by verify, not by the merge")
        #expect(merged.valid)
    }

    @Test func aShardsInvalidityAndEarlyStopAreTheMergedRunsNamingTheShard() throws {
        let ledgers = [Self.ledger(10, acknowledged: 10), Self.ledger(10, acknowledged: 10)]
        let states = try (0..<2).map { try Self.state($0, of: 2, ledger: ledgers[$0]) }
        let state = try ShardState.merge(states, sources: ["a", "b"])
        let summaries = [
            Self.summary(shard: "0/2", ledger: ledgers[0], requests: 1, answers: 1, elapsed: 1),
            Self.summary(shard: "1/2", ledger: ledgers[1], requests: 1, answers: 1, elapsed: 1, invalid: ["over capacity"],
                         stop: StopSummary(reason: .interrupted, message: "interrupted (SIGINT)")),
        ]
        let merged = ShardMerge.mergeSummaries(summaries, totals: [:], state: state)
        #expect(!merged.valid)
        #expect(merged.invalidReasons == ["shard 1/2: over capacity"])
        #expect(merged.stop?.reason == .interrupted && merged.stop?.message == "shard 1/2: interrupted (SIGINT)")
    }

    @Test func aShardGivenTwiceOrMissingIsRefusedNamingIt() throws {
        let ledger = Self.ledger(1, acknowledged: 1)
        let zero = try Self.state(0, of: 3, ledger: ledger), two = try Self.state(2, of: 3, ledger: ledger)
        #expect(throws: ShardStateError.self) { try ShardState.merge([zero, zero, two], sources: ["a", "b", "c"]) }
        do {
            _ = try ShardState.merge([zero, two], sources: ["a", "c"])
            Issue.record("a merge without shard 1 must fail")
        } catch {
            #expect("\(error)".contains("shard 1/3"), "\(error)")
        }
    }
}
