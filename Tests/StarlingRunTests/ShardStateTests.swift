import Foundation
import StarlingChecks
import StarlingDisk
import StarlingSim
import Testing
@testable import StarlingApp
@testable import StarlingRun

/// A distributed run's merge is exact: the shards' `oracle-state.json` merged give the oracles
/// exactly the answers of one run that sent every event, for every checked combination.
@Suite struct ShardStateTests {
    static let startWall: Int64 = 1_764_460_800

    static func smokePlan(shard: ShardSpec = .whole) throws -> (plan: RunPlan, text: String) {
        let path = repositoryRoot.appendingPathComponent("scenarios/ci-smoke.json").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var plan = RunPlan(scenario: try Scenario(json: Data(text.utf8), source: path), token: "t")
        plan.pipes = try seedPipes()
        plan.shard = shard
        plan.duration = 4  // a fifth of the scenario's: data for every pipe, and quick in a debug build
        return (plan, text)
    }

    /// Shard `index` of `count` as its run would leave it: the first `limit` events of its stream
    /// (all of them by default) sent and landed. (One pass: the digests count the events.)
    static func shardState(_ index: Int, of count: Int, generated limit: Int = .max) throws -> ShardState {
        let (plan, text) = try smokePlan(shard: #require(ShardSpec(parsing: "\(index)/\(count)")))
        let sent = SentEvents(plan: plan, startWallSeconds: startWall, generated: limit, lastOffset: plan.duration)
        var state = ShardState(plan: plan, scenarioText: text, rateOverride: nil, sent: sent, ledger: LedgerCounts(), landed: [:])
        let landed = state.shards[0].digests.mapValues(\.events)
        let generated = landed.values.reduce(0, +)
        (state.shards[0].generated, state.shards[0].landed) = (generated, landed)
        (state.shards[0].ledger.generated, state.shards[0].ledger.acknowledged) = (generated, generated)
        return state
    }

    /// Each checked combination with its expected answer as text: pipe, parameters, the rows (in
    /// order, except within runs the ORDER BY leaves open, which may come in any order) and those runs.
    static func answers(_ expectations: Expectations) -> [String] {
        expectations.oracles.map { check, oracle in
            let result = oracle.result()
            var rows = result.rows.map { row in row.columns.map { "\($0.name)=\(canonical($0.value))" }.joined(separator: ",") }
            for range in result.interchangeable { rows[range].sort() }
            return "\(check.pipe)?\(check.parameters) → \(rows.joined(separator: "; ")) ties \(result.interchangeable)"
        }
    }

    /// A value as the comparison sees it: a multiset in any order, a float to 12 significant digits
    /// (a sum's last bits depend on the order it was added in).
    static func canonical(_ value: ExpectedValue) -> String {
        switch value {
        case .multiset(let items): return "multiset[" + items.map(canonical).sorted().joined(separator: ",") + "]"
        case .array(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        case .float(let x), .rounded2(let x), .rounded2OfFloatSum(let x): return String(format: "%.12g", x)
        default: return value.rendered
        }
    }

    @Test func mergedShardsExpectExactlyWhatOneRunExpects() throws {
        let (plan, _) = try Self.smokePlan()
        let whole = SentEvents(plan: plan, startWallSeconds: Self.startWall, generated: .max, lastOffset: plan.duration)
        let unsharded = Self.answers(RunSession.expect(plan, sent: whole))
        var wholeLanded: [String: Int] = [:]
        whole.forEachSent { datasource, _ in wholeLanded[datasource, default: 0] += 1 }

        for shards in [1, 2, 3, 7] {
            let states = try (0..<shards).map { try Self.shardState($0, of: shards) }
            // Given in reverse: the order of the folders does not matter.
            let merged = try ShardState.merge(states.reversed(), sources: (0..<shards).reversed().map { "shard-\($0)" })
            #expect(merged.isComplete)
            let sent = try merged.sentEvents()
            try merged.verifyDigests(sent)
            var mergedPlan = try merged.plan(shard: 0)
            mergedPlan.pipes = plan.pipes
            let expectations = MergedCheck.expectations(plan: mergedPlan, sent: sent)

            #expect(merged.landed == wholeLanded, "\(shards) shards")
            #expect(merged.ledger.generated == wholeLanded.values.reduce(0, +), "\(shards) shards")
            #expect(merged.ledger.acknowledged == states.map(\.ledger.acknowledged).reduce(0, +), "\(shards) shards")
            #expect(Set(expectations.oracles.map(\.check.pipe)) == Set(PipeOracles.pipes), "every one of the 14 pipes is checked")
            let answers = Self.answers(expectations)
            #expect(answers.count == unsharded.count, "\(shards) shards: \(answers.count) combinations, unsharded \(unsharded.count)")
            let differing = zip(answers, unsharded).filter { $0.0 != $0.1 }
            let example = differing.first.map { "\($0.0.prefix(300))… vs \($0.1.prefix(300))…" } ?? ""
            #expect(differing.count == 0, "\(shards) shards: \(differing.count) of \(unsharded.count) combinations differ, e.g. \(example)")
        }
    }

    @Test func aShardThatStoppedEarlyIsProducedAgainUpToWhereItStopped() throws {
        let early = try Self.shardState(1, of: 3, generated: 500)
        let merged = try ShardState.merge([try Self.shardState(0, of: 3), early, try Self.shardState(2, of: 3)], sources: ["a", "b", "c"])
        let sent = try merged.sentEvents()
        try merged.verifyDigests(sent)
        var count = 0
        sent.forEachSent { owner, _, _ in count += owner == 1 ? 1 : 0 }
        #expect(count == 500)
    }

    @Test func aMergeOfAnotherRunsShardIsRefusedWithOneLine() throws {
        let zero = try Self.shardState(0, of: 3)
        var otherSeed = try Self.shardState(1, of: 3)
        otherSeed.seed += 1
        #expect(throws: ShardStateError.self) { try ShardState.merge([zero, otherSeed], sources: ["a", "b"]) }
        let seed = #expect(throws: ShardStateError.self) {
            try ShardState.merge([zero, otherSeed, try Self.shardState(2, of: 3)], sources: ["a", "b", "c"])
        }
        #expect(seed?.description.contains("b is from another run (seed 8") == true, "\(seed?.description ?? "")")
        #expect(seed?.description.contains("\n") == false)
        let missing = #expect(throws: ShardStateError.self) { try ShardState.merge([zero, try Self.shardState(2, of: 3)], sources: ["a", "c"]) }
        #expect(missing?.description.contains("shard 1/3 missing") == true)
        let twice = #expect(throws: ShardStateError.self) { try ShardState.merge([zero, zero], sources: ["a", "b"]) }
        #expect(twice?.description.contains("both hold shard 0/3") == true)
        let otherCount = #expect(throws: ShardStateError.self) { try ShardState.merge([zero, try Self.shardState(1, of: 2)], sources: ["a", "b"]) }
        #expect(otherCount?.description.contains("2 shards") == true)
    }

    /// A shard state no run can have written (a changed or cut file) is refused naming the folder
    /// and what is impossible, rather than merged into a ledger that claims it.
    @Test func anImpossibleShardStateIsRefusedNamingTheFolder() throws {
        let (zero, one, two) = (try Self.shardState(0, of: 3), try Self.shardState(1, of: 3), try Self.shardState(2, of: 3))
        var negative = one
        negative.shards[0].ledger.acknowledged = -319
        var unbalanced = one
        unbalanced.shards[0].ledger.acknowledged += 1
        var outside = one
        outside.shards[0].index = 7
        var counts = one
        counts.shards[0].generated += 5
        for (tampered, problem) in [(negative, "has -319 acknowledged events"), (unbalanced, "does not balance"),
                                    (outside, "shard 7/3 is not a shard of a 3-shard run"), (counts, "by its schedule")] {
            let error = #expect(throws: ShardStateError.self) { try ShardState.merge([zero, tampered, two], sources: ["a", "b", "c"]) }
            #expect(error?.description.hasPrefix("b: shard") == true && error?.description.contains(problem) == true, "\(error?.description ?? "")")
        }
    }

    @Test func aGeneratorThatChangedIsCaughtByTheDigest() throws {
        var state = try Self.shardState(0, of: 2)
        state.shards[0].digests["ecommerce_events"]?.fnv1a = "0"
        let sent = try state.sentEvents()
        let error = #expect(throws: ShardStateError.self) { try state.verifyDigests(sent) }
        #expect(error?.description.contains("ecommerce_events produced again for shard 0/2 differ") == true)
        // A changed count with the same digest is said as such, not as "digest X ≠ X".
        var recount = try Self.shardState(0, of: 2)
        recount.shards[0].digests["ecommerce_events"]?.events += 1
        let counted = #expect(throws: ShardStateError.self) { try recount.verifyDigests(sent) }
        let digest = try #require(recount.shards[0].digests["ecommerce_events"]?.fnv1a)
        #expect(counted?.description.contains("events, digest") == true && counted?.description.contains("\(digest) ≠ \(digest)") == false, "\(counted?.description ?? "")")
    }

    @Test func theStateRoundTripsThroughItsFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = try ResultsFolder.prepare(directory.path)
        let state = try Self.shardState(2, of: 3)
        try folder.writeShardState(state)
        #expect(try folder.readShardState() == state)
    }
}
