/// The models of one datasource's stream (its people, their schedule, the catalogue), a function of
/// its config and the scenario's seed alone: the same models start the stream wherever and
/// however often it is produced. Building them was most of a short run's CPU when the checks
/// produced the events again on every pass (84 % of `starling run` on a 5-second run), so a caller
/// that produces a stream several times builds them once and starts each stream from a copy.
public struct DatasourceModels: Sendable {
    /// The datasource's own seed (the scenario's mixed with its name).
    let seed: UInt64
    var footTraffic: FootTrafficModel?
    var ecommerce: EcommerceModel?
    var journeys: JourneyModel?
    var spec: SpecModel?
    /// The journeys whose visits an e-commerce datasource also is (`EcommerceConfig.journeyVisits`),
    /// on the journeys' datasource's own seed: the same stream as theirs.
    var linkedJourneys: JourneyModel?
    let journeySeed: UInt64

    /// `seed`: the scenario's.
    public init(_ config: DatasourceConfig, seed scenarioSeed: UInt64) {
        // Each datasource gets its own seed so adding one to a scenario never changes the others;
        // the people and the catalogue are the scenario's, shared by its datasources.
        let population = PersonDraws.populationSeed(scenarioSeed: scenarioSeed)
        seed = SplitMix64.mix(scenarioSeed ^ StreamTag(name: config.name).rawValue)
        journeySeed = SplitMix64.mix(scenarioSeed ^ StreamTag(name: JourneyModel.datasource).rawValue)
        switch config.model {
        case .footTraffic(let c):
            footTraffic = FootTrafficModel(config: c, seed: seed, populationSeed: population)
        case .ecommerce(let c):
            ecommerce = EcommerceModel(config: c, seed: seed, populationSeed: population)
            linkedJourneys = c.journeyVisits.map { JourneyModel(config: $0, seed: journeySeed, populationSeed: population) }
        case .journeys(let c):
            journeys = JourneyModel(config: c, seed: seed, populationSeed: population)
        case .spec(let c):
            spec = SpecModel(config: c, seed: seed)
        }
    }
}

/// The event stream of one datasource of a scenario, whichever its domain: what the CLI and the load
/// engine iterate without caring about the model's type. Exactly one of the four streams is set;
/// they are optionals (not enum payloads) so that advancing one mutates it in place, never copies it.
public struct DatasourceStream {
    public let name: String
    public internal(set) var footTraffic: EventStream<FootTrafficModel>?
    public internal(set) var ecommerce: EventStream<EcommerceModel>?
    public internal(set) var journeys: EventStream<JourneyModel>?
    /// A datasource described by its schema and field specs.
    public internal(set) var spec: EventStream<SpecModel>?
    /// Events produced so far across all shards (the position in the unsharded stream). Kept here,
    /// not read from the optional stream: reading through the optional copied the whole stream
    /// (model included) once per event in the callers' loops.
    public internal(set) var produced = 0
    /// Set for e-commerce events that are also the journeys' visits (`EcommerceConfig.journeyVisits`).
    var journeyVisits: JourneyVisits?
    public let shard: ShardSpec
    /// Which of the four streams is set, to dispatch on: `footTraffic != nil` calls an outlined
    /// check of the stream type's tag (per event, and for each stream tested before the right one:
    /// 4% of e-commerce generation), while a switch reaches the one stream used directly.
    let domain: Domain

    enum Domain: Sendable { case footTraffic, ecommerce, linkedEcommerce, journeys, spec }

    /// The stream of `config` from `start`; `end` (exclusive) bounds simulated time when given.
    /// `models`: the datasource's models built earlier (`DatasourceModels(config, seed: seed)`), for
    /// a caller that produces the same stream more than once; nil builds them.
    public init(_ config: DatasourceConfig, seed: UInt64, start: Int64, end: Int64? = nil, shard: ShardSpec = .whole,
                models: DatasourceModels? = nil) {
        name = config.name
        self.shard = shard
        let models = models ?? DatasourceModels(config, seed: seed)
        let seed = models.seed
        switch config.model {
        case .footTraffic:
            footTraffic = models.footTraffic.map { EventStream(model: $0, seed: seed, start: start, end: end, shard: shard) }
            domain = .footTraffic
        case .ecommerce(let c):
            ecommerce = models.ecommerce.map { EventStream(model: $0, seed: seed, start: start, end: end, shard: shard) }
            domain = c.journeyVisits == nil ? .ecommerce : .linkedEcommerce
            if let model = models.linkedJourneys {
                journeyVisits = JourneyVisits(journeys: EventStream(model: model, seed: models.journeySeed, start: start, end: end, shard: shard),
                                              shopCountries: c.countries.map(\.0))
            }
        case .journeys:
            journeys = models.journeys.map { EventStream(model: $0, seed: seed, start: start, end: end, shard: shard) }
            domain = .journeys
        case .spec:
            spec = models.spec.map { EventStream(model: $0, seed: seed, start: start, end: end, shard: shard) }
            domain = .spec
        }
    }

    /// Sessions that arrived so far, and how many of them found nobody free (everyone drawn was busy
    /// or at their daily cap: the population is too small for the rate); (0, 0) for a spec stream.
    public var people: (started: Int, unplaced: Int) {
        switch domain {
        case .footTraffic: return footTraffic.map { ($0.nextSession, $0.model.schedule.unplaced) } ?? (0, 0)
        case .ecommerce, .linkedEcommerce: return ecommerce.map { ($0.nextSession, $0.model.schedule.unplaced) } ?? (0, 0)
        case .journeys: return journeys.map { ($0.nextSession, $0.model.schedule.unplaced) } ?? (0, 0)
        case .spec: return (0, 0)
        }
    }

    /// Encodes the next event of the whole stream into `encoder` when this shard owns it.
    /// Returns the event's simulated time and whether it was written, or nil at the end.
    /// `timestamp` replaces the event's own time (live mode).
    public mutating func encodeNext(into encoder: inout NDJSONEncoder, timestamp: Int64? = nil) -> (time: Int64, written: Bool)? {
        encodeNextRow(into: &encoder, timestamp: timestamp)
    }

    /// The CSV form of `encodeNext(into:timestamp:)`.
    public mutating func encodeNext(into encoder: inout CSVEncoder, timestamp: Int64? = nil) -> (time: Int64, written: Bool)? {
        encodeNextRow(into: &encoder, timestamp: timestamp)
    }

    // Concrete public entry points, generic inside the module: the compiler specializes this for each
    // encoder, so no field is written through a protocol witness on the hot path.
    mutating func encodeNextRow(into encoder: inout some RowEncoder, timestamp: Int64?) -> (time: Int64, written: Bool)? {
        let next: (time: Int64, written: Bool)?
        switch domain {
        case .footTraffic: next = footTraffic?.encodeNext(into: &encoder, timestamp: timestamp) ?? nil
        case .ecommerce: next = ecommerce?.encodeNext(into: &encoder, timestamp: timestamp) ?? nil
        case .linkedEcommerce: next = encodeNextLinked(into: &encoder, timestamp: timestamp)
        case .journeys: next = journeys?.encodeNext(into: &encoder, timestamp: timestamp) ?? nil
        case .spec: next = spec?.encodeNext(into: &encoder, timestamp: timestamp) ?? nil
        }
        if next != nil { produced += 1 }
        return next
    }
}

extension DatasourceStream {
    /// `encodeNextRow` for e-commerce linked to the journeys' visits, kept out of line: inlined as a
    /// fifth case, it slowed the other domains' rows (see the commit that outlined it).
    @inline(never)
    mutating func encodeNextLinked(into encoder: inout some RowEncoder, timestamp: Int64?) -> (time: Int64, written: Bool)? {
        guard let (record, owner) = nextLinkedRecord() else { return nil }
        let owned = owner == shard.index
        if owned { ecommerce?.model.encodeLinked(record, into: &encoder, timestamp: timestamp) }
        return (record.time, owned)
    }

    /// The next e-commerce record of a stream linked to the journeys' visits.
    mutating func nextLinkedRecord() -> (record: CommerceRecord, owner: Int)? {
        guard var own = ecommerce, var visits = journeyVisits else { return nil }
        ecommerce = nil
        journeyVisits = nil
        defer {
            ecommerce = own
            journeyVisits = visits
        }
        return visits.next(own: &own)
    }
}

extension EventStream {
    /// Encodes the next event into `encoder` when this shard owns it; nil at the end of the stream.
    /// Inlined into each case of `encodeNextRow`: outlined, the compiler merged the four domains'
    /// specializations into one that took the model (800 bytes) by copy, once per event.
    @inline(__always)
    mutating func encodeNext(into encoder: inout some RowEncoder, timestamp: Int64?) -> (time: Int64, written: Bool)? {
        guard let (record, owner) = nextRecordAndOwner() else { return nil }
        let owned = owner == shard.index
        if owned { model.encode(record, into: &encoder, timestamp: timestamp) }
        return (record.time, owned)
    }
}

extension StreamTag {
    /// A tag from any string (FNV-1a), e.g. a datasource name read from a scenario.
    public init(name: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        self.init(rawValue: hash)
    }
}
