import StarlingSim
import Synchronization

/// The events a run sent, produced again: the stream is a function of the plan (seed, shard, rate
/// profile, duration) and the run's start second, so the first `generated` events this shard's
/// sequence yields are exactly those the ledger counted. The checks use it after the load, off the
/// send path, instead of watching every event go by.
public struct SentEvents: Sendable {
    public let plan: RunPlan
    public let startWallSeconds: Int64
    /// Events the ledger counts as generated (all of them landed when checks run).
    public let generated: Int
    /// How far the schedule got (seconds into the run): every shard's events up to here.
    public let lastOffset: Double

    /// The datasources' models, built on the first pass and copied by the others (the checks make
    /// five passes, two of them at once).
    let models = ModelCache()

    final class ModelCache: Sendable {
        let built = Mutex<[DatasourceModels]?>(nil)

        func models(_ plan: RunPlan) -> [DatasourceModels] {
            built.withLock { built in
                if let built { return built }
                let models = plan.scenario.datasources.map { DatasourceModels($0, seed: plan.seed) }
                built = models
                return models
            }
        }
    }

    public init(plan: RunPlan, startWallSeconds: Int64, generated: Int, lastOffset: Double) {
        self.plan = plan
        self.startWallSeconds = startWallSeconds
        self.generated = generated
        self.lastOffset = lastOffset
    }

    var datasourceNames: [String] { plan.scenario.datasources.map(\.name) }

    /// Calls `body` with each event sent, in the order sent.
    public func forEachSent(_ body: (String, GeneratedEvent) -> Void) {
        var sequence = EventSequence(plan: plan, startWallSeconds: startWallSeconds, models: models.models(plan))
        let names = sequence.datasourceNames
        var count = 0
        while count < generated, let scheduled = sequence.next() {
            count += 1
            body(names[scheduled.datasource], scheduled.event)
        }
    }

    /// Calls `body` with every event of the schedule up to `lastOffset`, every shard's: what all the
    /// shards of a distributed run sent together (for an unsharded run, the events sent).
    public func forEachScheduled(_ body: (String, GeneratedEvent) -> Void) {
        guard plan.shard.count > 1 else { return forEachSent(body) }
        var sequence = EventSequence(plan: plan, startWallSeconds: startWallSeconds, models: models.models(plan))
        let names = sequence.datasourceNames
        while let scheduled = sequence.next(includingOthers: true), scheduled.offset <= lastOffset {
            body(names[scheduled.datasource], scheduled.event)
        }
    }
}
