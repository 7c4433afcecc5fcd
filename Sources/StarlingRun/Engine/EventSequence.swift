import StarlingSim

/// One event of a run's stream with its place in the schedule.
struct ScheduledEvent: Sendable {
    /// Seconds from the run's start at which the schedule intends the event.
    var offset: Double
    /// Index of its datasource in the scenario.
    var datasource: Int
    /// The event as sent (in a live run its time is the intended send second).
    var event: GeneratedEvent
    /// The shard that sends it (0, unsharded).
    var owner = 0
    /// Whether this shard sends it (always, unsharded).
    var owned = true
}

/// The deterministic order of a run's events: the arrival schedule gives each event its intended
/// time, a seeded mix picks its datasource by share, and that datasource's stream gives the event.
/// Everything is a function of the plan's seed (and, in live runs, the run's start second), so the
/// same sequence can be produced twice — once to send, once to feed oracles off the send path.
struct EventSequence {
    let eventTime: EventTimeMode
    let shard: ShardSpec
    /// The run's start second (for live event times); may be set after the models are built.
    var startWallSeconds: Int64
    var streams: [DatasourceStream]
    let mix: AliasTable
    var mixRng: Xoshiro256
    var schedule: ArrivalSchedule
    var exhausted: Set<Int> = []
    /// The schedule offset of the last arrival drawn.
    private(set) var lastOffset = 0.0

    /// `models`: the datasources' models, in the scenario's order, when built already (nil builds them).
    init(plan: RunPlan, startWallSeconds: Int64, models: [DatasourceModels]? = nil) {
        eventTime = plan.eventTime
        shard = plan.shard
        self.startWallSeconds = startWallSeconds
        streams = plan.scenario.datasources.enumerated().map { index, config in
            DatasourceStream(config, seed: plan.seed, start: plan.scenario.start, shard: plan.shard, models: models?[index])
        }
        mix = AliasTable(weights: plan.scenario.datasources.map(\.share))
        mixRng = Xoshiro256(seed: plan.seed, stream: StreamTag("ingest-mix"), index: 0)
        schedule = ArrivalSchedule(profile: plan.ingest.rate, process: plan.ingest.arrivals, duration: plan.duration, seed: plan.seed)
    }

    var datasourceNames: [String] { streams.map(\.name) }

    /// The next event this shard sends; nil when the schedule ends or every stream is exhausted.
    mutating func next() -> ScheduledEvent? {
        next(includingOthers: false)
    }

    /// The next event of the whole schedule, every shard's (`owned` says whose), when
    /// `includingOthers`; else the next one this shard sends.
    mutating func next(includingOthers: Bool) -> ScheduledEvent? {
        while let t = schedule.next() {
            lastOffset = t
            let d = streams.count == 1 ? 0 : mix.sample(using: &mixRng)
            guard !exhausted.contains(d), let (event, owner) = streams[d].nextEventAndOwner() else {
                exhausted.insert(d)
                if exhausted.count == streams.count { return nil }
                continue
            }
            let owned = owner == shard.index
            guard owned || includingOthers else { continue }
            let sent = eventTime == .live ? event.retimed(startWallSeconds + Int64(t)) : event
            return ScheduledEvent(offset: t, datasource: d, event: sent, owner: owner, owned: owned)
        }
        return nil
    }
}
