import Foundation
import StarlingChecks
import StarlingDisk
import StarlingProject
import StarlingSim

/// `oracle-state.json`: what the shards of a distributed run sent, exactly, in a few hundred bytes
/// per shard — the coordinates of each shard's stream (scenario, seed, shard, start second, how many
/// events) rather than the oracles' aggregates. The stream is a function of those coordinates, so
/// the events can be produced again anywhere, and the oracles fed the union of every shard's events
/// give exactly the answers of one machine that sent them all.
///
/// Why coordinates and not partial aggregates (counts, cent sums, distinct sets, per-customer
/// sequences): the check plan is drawn from the merged data and its limit checks from the merged
/// answers, so the combinations to check are not known while the shards run; aggregates would also
/// grow with customers and paths, and a reference check (issue 12) needs the events themselves.
/// Each shard's per-datasource digest of what it sent guards the one way this could go wrong: a
/// Starling build whose generator differs from the one that ran the shard.
public struct ShardState: Codable, Sendable, Equatable {
    public static let currentSchema = "starling.oracle-state.v1"

    public var schema = ShardState.currentSchema
    /// The scenario's name and the text of its file, so `merge` and `verify` need nothing else.
    public var scenario: String
    public var scenarioText: String
    /// Where the scenario's file was (absolute), so that a `"project"` relative to it resolves when
    /// `merge` and `verify` read the text again; absent in folders written before it was kept.
    public var scenarioSource: String?
    public var seed: UInt64
    /// Shards in the whole run (each part names its own index).
    public var shardCount: Int
    /// The planned load in seconds, and the `--rate` override (nil: the scenario's profile).
    public var duration: Double
    public var rate: Double?
    /// One per shard: one in a shard's folder, all of them in a merged folder.
    public var shards: [Part]

    /// What one shard sent.
    public struct Part: Codable, Sendable, Equatable {
        public var index: Int
        /// The schedule's start second (live event times are counted from it).
        public var startWallSeconds: Int64
        /// The first `generated` events of this shard's stream are those it sent.
        public var generated: Int
        /// How far its schedule got, in seconds.
        public var lastOffset: Double
        public var ledger: LedgerCounts
        /// Rows acknowledged per datasource (what the target must hold of this shard).
        public var landed: [String: Int]
        /// Per datasource, the events sent and a digest of their NDJSON.
        public var digests: [String: Digest]

        /// What a shard's run cannot have written, in words; nil when the part is possible: its
        /// index within the run's shards, no negative count, a ledger in which every generated
        /// event is in one bucket, and as many events in the digests as were generated.
        func impossibility(shardCount: Int) -> String? {
            let l = ledger
            if !(0..<shardCount).contains(index) { return "is not a shard of a \(shardCount)-shard run" }
            let counts = [("generated", l.generated), ("acknowledged", l.acknowledged), ("quarantined", l.quarantined), ("rejected", l.rejected),
                          ("failed", l.failed), ("not sent", l.notSent), ("sent", generated)] + landed.sorted { $0.key < $1.key }.map { ("landed in \($0.key)", $0.value) }
                + digests.sorted { $0.key < $1.key }.map { ("digested in \($0.key)", $0.value.events) }
            if let (name, value) = counts.first(where: { $0.1 < 0 }) { return "has \(value) \(name) events" }
            if !l.balanced { return "has a ledger that does not balance (\(l.generated) generated, \(l.accounted) in its buckets)" }
            if l.generated != generated { return "generated \(l.generated) events by its ledger and \(generated) by its schedule" }
            let digested = digests.values.map(\.events).reduce(0, +)
            if digested != generated { return "has digests of \(digested) events for \(generated) generated" }
            return nil
        }
    }

    /// FNV-1a (64 bit, hex) over the NDJSON lines of a datasource's events, in the order sent.
    public struct Digest: Codable, Sendable, Equatable {
        public var events: Int
        public var fnv1a: String
    }

    /// The state of one shard's run: its coordinates, and the digests of its events produced again.
    public init(plan: RunPlan, scenarioText: String, rateOverride: Double?, sent: SentEvents, ledger: LedgerCounts, landed: [String: Int]) {
        scenario = plan.scenario.name
        self.scenarioText = scenarioText
        seed = plan.seed
        shardCount = plan.shard.count
        duration = plan.duration
        rate = rateOverride
        shards = [Part(index: plan.shard.index, startWallSeconds: sent.startWallSeconds, generated: sent.generated,
                       lastOffset: sent.lastOffset, ledger: ledger, landed: landed, digests: Self.digests(sent))]
    }

    /// The plan shard `index` ran with (scenario, seed, duration, rate, shard).
    public func plan(shard index: Int) throws(ShardStateError) -> RunPlan {
        let parsed: Scenario
        do {
            parsed = try Scenario(json: Data(scenarioText.utf8), source: scenarioSource ?? "oracle-state.json")
        } catch {
            throw .unreadable("its scenario does not parse: \(error)")
        }
        var plan = RunPlan(scenario: parsed, token: "")
        plan.seed = seed
        plan.duration = duration
        if let rate { plan.ingest.rate = .constant(rate) }
        guard let shard = ShardSpec(parsing: "\(index)/\(shardCount)") else { throw .unreadable("shard \(index)/\(shardCount) is not a shard") }
        plan.shard = shard
        return plan
    }

    /// The events the shards sent, to be produced again (the scenario must parse).
    public func sentEvents() throws(ShardStateError) -> SentUnion {
        var plan = try self.plan(shard: 0)
        plan.pipes = [:]
        var perShard: [SentEvents] = []
        for part in shards.sorted(by: { $0.index < $1.index }) {
            perShard.append(SentEvents(plan: try self.plan(shard: part.index), startWallSeconds: part.startWallSeconds,
                                       generated: part.generated, lastOffset: part.lastOffset))
        }
        return SentUnion(plan: plan, shards: perShard)
    }

    /// The summed ledger of every shard.
    public var ledger: LedgerCounts {
        var total = LedgerCounts()
        total.possiblyDuplicated = 0
        for part in shards {
            total.generated += part.ledger.generated
            total.acknowledged += part.ledger.acknowledged
            total.quarantined += part.ledger.quarantined
            total.rejected += part.ledger.rejected
            total.failed += part.ledger.failed
            total.notSent += part.ledger.notSent
            total.possiblyDuplicated = (total.possiblyDuplicated ?? 0) + (part.ledger.possiblyDuplicated ?? 0)
        }
        return total
    }

    /// Rows acknowledged per datasource over every shard.
    public var landed: [String: Int] {
        shards.reduce(into: [:]) { total, part in total.merge(part.landed, uniquingKeysWith: +) }
    }

    /// Whether every shard of the run is here.
    public var isComplete: Bool { Set(shards.map(\.index)) == Set(0..<shardCount) }

    /// Throws unless every shard is here (a shard's own folder, before the merge, is not).
    public func requireComplete() throws(ShardStateError) {
        guard !isComplete else { return }
        let held = shards.map { "\($0.index)/\(shardCount)" }.joined(separator: ", ")
        throw .mismatch("this folder holds shard \(held) only: merge every shard's folder first (starling merge <dirs…> --out DIR), then verify the merged folder")
    }

    /// One state from the shards' states: the same run (scenario, seed, shard count, duration, rate)
    /// and no shard twice. `sources` name the states in errors (their folders).
    public static func merge(_ states: [ShardState], sources: [String]) throws(ShardStateError) -> ShardState {
        guard var merged = states.first else { throw .nothingToMerge }
        merged.shards = []
        var seen: [Int: String] = [:]
        for (state, source) in zip(states, sources) {
            let differs = state.scenario != merged.scenario || state.scenarioText != merged.scenarioText ? "scenario \(state.scenario)"
                : state.seed != merged.seed ? "seed \(state.seed)"
                : state.shardCount != merged.shardCount ? "\(state.shardCount) shards"
                : state.duration != merged.duration ? "duration \(state.duration) s"
                : state.rate != merged.rate ? "rate \(state.rate.map { "\($0)" } ?? "from the scenario")"
                : nil
            if let differs {
                throw .mismatch("\(source) is from another run (\(differs), not that of \(sources[0]): scenario \(merged.scenario), seed \(merged.seed), \(merged.shardCount) shards); merge only the shards of one run")
            }
            for part in state.shards {
                if let problem = part.impossibility(shardCount: merged.shardCount) {
                    throw .mismatch("\(source): shard \(part.index)/\(merged.shardCount) \(problem): its shard-state.json was changed or cut after the run")
                }
                if let other = seen[part.index] {
                    throw .mismatch("\(source) and \(other) both hold shard \(part.index)/\(merged.shardCount); give each shard's folder once")
                }
                seen[part.index] = source
                merged.shards.append(part)
            }
        }
        merged.shards.sort { $0.index < $1.index }
        let missing = (0..<merged.shardCount).filter { seen[$0] == nil }
        if !missing.isEmpty {
            let list = missing.prefix(5).map { "\($0)/\(merged.shardCount)" }.joined(separator: ", ")
            throw .mismatch("shard \(list)\(missing.count > 5 ? "…" : "") missing: give all \(merged.shardCount) shards' folders (a merge of some shards would not be what the target holds)")
        }
        return merged
    }

    /// Checks that this build produces again exactly what each shard sent (same generator).
    public func verifyDigests(_ sent: SentUnion) throws(ShardStateError) {
        var hashes: [Int: DigestBuilder] = [:]
        sent.forEachSent { owner, datasource, event in hashes[owner, default: DigestBuilder()].add(datasource, event) }
        for part in shards.sorted(by: { $0.index < $1.index }) {
            let again = hashes[part.index]?.digests ?? [:]
            for (datasource, digest) in part.digests.sorted(by: { $0.key < $1.key }) where again[datasource] != digest {
                let produced = again[datasource].map { "\($0.events) events, digest \($0.fnv1a)" } ?? "none"
                throw .generatorDiffers("the events of \(datasource) produced again for shard \(part.index)/\(shardCount) differ from those it sent (\(produced) ≠ \(digest.events) events, digest \(digest.fnv1a)): this Starling build generates another stream than the one that ran the shard, or the shard's state was changed; use the same version")
            }
        }
    }

    static func digests(_ sent: SentEvents) -> [String: Digest] {
        var builder = DigestBuilder()
        sent.forEachSent { builder.add($0, $1) }
        return builder.digests
    }

    /// FNV-1a per datasource over the events' NDJSON lines, in the order given.
    struct DigestBuilder {
        var hashes: [String: (events: Int, hash: FNV1a)] = [:]
        var encoder = NDJSONEncoder(capacity: 4096)

        mutating func add(_ datasource: String, _ event: GeneratedEvent) {
            encoder.removeAllBytes()
            event.encode(into: &encoder, timestamp: nil)
            var entry = hashes[datasource] ?? (0, FNV1a())
            entry.events += 1
            encoder.withBytes { entry.hash.add($0) }
            hashes[datasource] = entry
        }

        var digests: [String: Digest] { hashes.mapValues { Digest(events: $0.events, fnv1a: $0.hash.hex) } }
    }
}

/// The events every shard of a run sent, produced again. When the shards share a start second (a
/// `--start-at` run) that is one pass over the whole stream, each event going to the shard that
/// owns it until that shard's count is reached; otherwise one pass per shard. Either way each
/// entity's events come in time order, as the path oracles need.
public struct SentUnion: Sendable {
    /// Shard 0's plan (the shard count with it).
    public let plan: RunPlan
    /// Each shard's events, by shard index.
    public let shards: [SentEvents]

    /// Calls `body` with every event sent (datasource, event).
    public func forEachSent(_ body: (String, GeneratedEvent) -> Void) {
        forEachSent { _, datasource, event in body(datasource, event) }
    }

    /// Calls `body` with every event sent and the shard that sent it.
    public func forEachSent(_ body: (Int, String, GeneratedEvent) -> Void) {
        guard let first = shards.first, shards.allSatisfy({ $0.startWallSeconds == first.startWallSeconds }) else {
            for part in shards { part.forEachSent { body(part.plan.shard.index, $0, $1) } }
            return
        }
        var limits = [Int](repeating: 0, count: plan.shard.count)
        for part in shards { limits[part.plan.shard.index] = part.generated }
        var sent = [Int](repeating: 0, count: plan.shard.count)
        var open = limits.filter { $0 > 0 }.count
        var sequence = EventSequence(plan: plan, startWallSeconds: first.startWallSeconds)
        let names = sequence.datasourceNames
        while open > 0, let scheduled = sequence.next(includingOthers: true) {
            let owner = scheduled.owner
            guard sent[owner] < limits[owner] else { continue }
            sent[owner] += 1
            if sent[owner] == limits[owner] { open -= 1 }
            body(owner, names[scheduled.datasource], scheduled.event)
        }
    }
}

/// Why an `oracle-state.json` cannot be used: one line.
public enum ShardStateError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case mismatch(String)
    case generatorDiffers(String)
    case nothingToMerge

    public var description: String {
        switch self {
        case .unreadable(let reason): return "oracle-state.json: \(reason)"
        case .mismatch(let reason), .generatorDiffers(let reason): return reason
        case .nothingToMerge: return "no shard folders to merge"
        }
    }
}

extension ResultsFolder {
    /// Writes `oracle-state.json`.
    public func writeShardState(_ state: ShardState) throws(ResultsError) {
        try writeJSON(state, to: .oracleState)
    }

    /// Reads `oracle-state.json` (a folder without one is not a shard's, or a merge's, results).
    public func readShardState() throws(ResultsError) -> ShardState {
        guard exists(.oracleState) else {
            throw .unreadable(path, "it has no oracle-state.json: only the folders of `starling run --shard i/n` (and of `starling merge`) have one")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let state: ShardState
        do {
            state = try decoder.decode(ShardState.self, from: Data(try read(.oracleState).utf8))
        } catch let error as ResultsError {
            throw error
        } catch {
            throw .unreadable(url(.oracleState), Self.decodingReason(error))
        }
        guard state.schema == ShardState.currentSchema else {
            throw .unreadable(url(.oracleState), "schema \(state.schema) is not one this version reads (\(ShardState.currentSchema))")
        }
        return state
    }
}
