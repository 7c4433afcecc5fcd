/// Retail foot traffic: the people of the stores' country (each with a home store, a loyalty status,
/// a weekday or weekend habit and a personal visit rate) visit stores that are open, along a daily
/// curve with lunch and after-work peaks in local time. Nobody is in two places at once or visits
/// more than `maxVisitsPerDay` a day (`PersonSchedule`). Purchasing visits last longer.
public struct FootTrafficModel: DomainModel {
    public static let datasource = "store_visits"

    public let config: FootTrafficConfig
    let stores: [Store]
    let storeChoice: AliasTable
    let seed: UInt64
    /// Who visits when.
    var schedule: PersonSchedule
    /// One bit per visitor (by position in `schedule`): seen before (for the `first visit` tag).
    /// Per entity, so shards agree.
    var seen: [UInt64]
    /// `entry_point`, `exit_point` (both by entry point) and `tags` (by `tagSets` index), encoded once.
    let entryField, exitField, tagsField: FieldValues
    let purchase: (member: Double, other: Double)
    let browsingDwell: Double
    let offsetSeconds: Int64

    struct Store: Sendable {
        var share: Double
        var weekdayHours: (open: Double, close: Double)
        var weekendHours: (open: Double, close: Double)
        var entries: [Int]
        var entryChoice: AliasTable

        /// Open at `hour` (fractional, local) of a weekend day or of a weekday.
        func isOpen(hour: Double, weekend: Bool) -> Bool {
            let hours = weekend ? weekendHours : weekdayHours
            return hour >= hours.open && hour < hours.close
        }
    }

    struct Visitor {
        var homeStore: Int
        var loyal: Bool
        var weekdayShopper: Bool
    }

    public init(config: FootTrafficConfig, seed: UInt64, populationSeed: UInt64? = nil) {
        self.config = config
        self.seed = seed
        let populationSeed = populationSeed ?? seed
        let shares = config.storeShares ?? (0..<config.stores).map { 1 / Double($0 + 1).squareRoot() }
        let stores = (0..<config.stores).map { i in
            var rng = Xoshiro256(seed: seed, stream: StreamTag("store"), index: UInt64(i))
            let weekday = config.weekdayHours[i % config.weekdayHours.count]
            let weekend = config.weekendHours[i % config.weekendHours.count]
            // The first entry point is every store's main entrance; each store has some others.
            var entries = [0]
            for e in 1..<max(config.entryPoints.count, 1) where rng.unit() < 0.5 { entries.append(e) }
            let weights = entries.map { $0 == 0 ? 3.0 : 1.0 + rng.unit() }
            return Store(share: shares[i], weekdayHours: (weekday[0], weekday[1]), weekendHours: (weekend[0], weekend[1]),
                         entries: entries, entryChoice: AliasTable(weights: weights))
        }
        self.stores = stores
        storeChoice = AliasTable(weights: shares)
        offsetSeconds = Int64((config.storeUTCOffset * 3600).rounded())

        // The share of traffic whose store is open, per local minute of the week: stores share
        // their hours by pattern (hours cycle), so this is a sum over the patterns.
        let patterns = max(config.weekdayHours.count, config.weekendHours.count)
        var patternShare = Array(repeating: 0.0, count: patterns)
        for (i, store) in stores.enumerated() { patternShare[i % patterns] += store.share }
        let total = max(shares.reduce(0, +), .leastNonzeroMagnitude)
        let openShare: [Double] = (0..<(PersonSchedule.weekSeconds / 60)).map { minute in
            let weekend = minute >= 5 * 1440
            let hour = Double(minute % 1440) / 60 + 1 / 120.0
            var open = 0.0
            for p in 0..<patterns where stores[p].isOpen(hour: hour, weekend: weekend) { open += patternShare[p] }
            return open / total
        }
        let curve = config.dailyCurve, offDay = config.offDayActivity
        // Group 0: weekday shoppers, group 1: weekend shoppers; both in the stores' local time.
        let groups = [false, true].map { weekendShopper in
            PersonSchedule.Group(offsetSeconds: Int64((config.storeUTCOffset * 3600).rounded())) { local in
                let weekend = local >= 5 * 86_400
                return curve.intensity(secondOfWeek: local) * openShare[local / 60] * (weekend == weekendShopper ? 1 : offDay)
            }
        }

        // How many of the country's people visit: given, or derived from the visits a visitor makes a week.
        let members: Int
        if let visitors = config.visitors {
            members = visitors
        } else {
            let expected = PersonSchedule.shape(groups: groups, totals: [config.weekdayShopperRate, 1 - config.weekdayShopperRate])
            let weekly = config.visitsPerHour / 60 * expected.minutes.reduce(0, +)
            members = PersonSchedule.people(perWeek: config.visitsPerVisitorPerWeek, weekly: weekly, sigma: config.activitySigma, ceiling: config.activityCeiling)
        }
        // People are numbered across the population; those of the stores' country are the visitors.
        let countryChoice = CumulativeChoice(weights: config.countries.map(\.1))
        let home = config.countries.firstIndex { $0.0 == config.country } ?? 0
        let homeStores = CumulativeChoice(weights: shares)
        var profiles: [UInt32] = [], weights: [Double] = [], personOf: [Int32] = [], groupOf: [Int32] = []
        let share = max(config.countries[home].1 / config.countries.map(\.1).reduce(0, +), 1e-6)
        let limit = Int(min(Double(members) / share * 4 + 10_000, 400_000_000))
        var person = 0
        while profiles.count < members, person < limit {
            let draws = PersonDraws(person: person, populationSeed: populationSeed)
            person += 1
            guard countryChoice.choose(draws.country) == home else { continue }
            let weekdayShopper = draws.habit < config.weekdayShopperRate
            profiles.append(UInt32(truncatingIfNeeded: homeStores.choose(draws.homeStore) + 1) | (draws.loyalty < config.loyaltyRate ? 1 << 30 : 0)
                            | (weekdayShopper ? 1 << 31 : 0))
            weights.append(PersonSchedule.weight(activity: draws.activity, sigma: config.activitySigma, ceiling: config.activityCeiling))
            personOf.append(Int32(truncatingIfNeeded: person - 1))
            groupOf.append(weekdayShopper ? 0 : 1)
        }
        // A visitor's tag in the schedule is their profile packed: home store + 1 in the low 30
        // bits, loyalty member bit 30, weekday shopper bit 31.
        schedule = PersonSchedule(persons: personOf, groupOf: groupOf, weights: weights, tags: profiles, groups: groups, cap: config.maxVisitsPerDay)
        seen = Array(repeating: 0, count: personOf.count / 64 + 1)
        entryField = FieldValues(key: "entry_point", values: config.entryPoints)
        exitField = FieldValues(key: "exit_point", values: config.entryPoints)
        tagsField = FieldValues(key: "tags", arrays: Self.tagSets)
        purchase = config.purchaseProbabilities
        browsingDwell = config.browsingDwellMedianSeconds
    }

    /// Every set of tags a visit can carry, indexed by its bits (loyalty member 1, weekday shopper 2,
    /// weekend shopper 4, purchasing 8, first visit 16): built once and shared, not per visit.
    static let tagSets: [[String]] = (0..<32).map { bits in
        [VisitTag.loyaltyMember, VisitTag.weekdayShopper, VisitTag.weekendShopper, VisitTag.purchasing, VisitTag.firstVisit]
            .enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element)
    }

    public var peakSessionsPerSecond: Double { config.visitsPerHour / 3600 }

    /// The daily curve of the people's local time times the share of traffic whose store is open:
    /// no visits while closed.
    public func intensity(secondOfWeek: Int) -> Double { schedule.intensity(secondOfWeek: secondOfWeek) }

    /// Whether store `index` (0-based) is open at Unix second `t`.
    func isOpen(store index: Int, at t: Int64) -> Bool {
        let local = t + offsetSeconds
        return stores[index].isOpen(hour: Double(CivilTime.secondOfDay(epochSeconds: local)) / 3600, weekend: CivilTime.weekday(epochSeconds: local) >= 5)
    }

    /// A visitor's profile from their tag in `schedule`.
    func profile(_ packed: UInt32) -> Visitor {
        return Visitor(homeStore: Int(packed & 0x3FFF_FFFF) - 1, loyal: packed & 1 << 30 != 0, weekdayShopper: packed & 1 << 31 != 0)
    }

    @inline(__always)  // called from the mutating `session`, an outlined call took a copy of the model
    func chooseStore(for visitor: Visitor, hour: Double, weekend: Bool, using rng: inout Xoshiro256) -> Int {
        if stores[visitor.homeStore].isOpen(hour: hour, weekend: weekend), rng.unit() < config.homeStoreProbability {
            return visitor.homeStore
        }
        for _ in 0..<64 {
            let candidate = storeChoice.sample(using: &rng)
            if stores[candidate].isOpen(hour: hour, weekend: weekend) { return candidate }
        }
        return stores.indices.first { stores[$0].isOpen(hour: hour, weekend: weekend) } ?? visitor.homeStore
    }

    public mutating func prepare(index: Int, start: Int64, seed: UInt64) {
        schedule.prepare(index: index, start: start, seed: seed, stream: StreamTag("visit"))
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [StoreVisitRecord]) -> Int {
        var (rng, chosen) = schedule.begin(session: index, seed: seed, stream: StreamTag("visit"), at: start)
        guard let (position, person, group, tag) = chosen else { return 0 }
        let profile = profile(tag)
        let local = start + offsetSeconds
        let weekend = CivilTime.weekday(epochSeconds: local) >= 5
        let hour = Double(CivilTime.secondOfDay(epochSeconds: local)) / 3600
        let storeIndex = chooseStore(for: profile, hour: hour, weekend: weekend, using: &rng)

        // The store's fields in place (a copy of the `Store` would retain its arrays).
        let entry = stores[storeIndex].entries[stores[storeIndex].entryChoice.sample(using: &rng)]
        var exit = entry
        let entries = stores[storeIndex].entries.count
        if entries > 1, rng.unit() >= config.sameExitProbability {
            while exit == entry { exit = stores[storeIndex].entries[rng.below(entries)] }
        }

        let purchasing = rng.unit() < (profile.loyal ? purchase.member : purchase.other)
        let median = purchasing ? browsingDwell * config.purchaseDwellRatio : browsingDwell
        let dwell = min(max(Distribution.roundedLogNormal(median: median, sigma: config.dwellSigma, using: &rng), 30), 6 * 3600)
        // Busy until the visit ends, and half an hour more (getting there and back).
        schedule.occupy(position, group: group, start: start, until: start + Int64(dwell) + 1800)

        let (word, bit) = (position / 64, UInt64(1) << UInt64(position % 64))
        let firstVisit = seen[word] & bit == 0
        seen[word] |= bit
        var combination = 0
        if profile.loyal { combination |= 1 }
        if !weekend && profile.weekdayShopper { combination |= 2 }
        if weekend && !profile.weekdayShopper { combination |= 4 }
        if purchasing { combination |= 8 }
        if firstVisit { combination |= 16 }
        events.append(StoreVisitRecord(
            time: start, visit: index + 1, visitor: person + 1,
            dwellSeconds: dwell, store: Int32(truncatingIfNeeded: storeIndex + 1),
            entryPoint: Int32(truncatingIfNeeded: entry), exitPoint: Int32(truncatingIfNeeded: exit),
            tags: Int32(truncatingIfNeeded: combination)))
        return person
    }

    public func event(_ r: StoreVisitRecord) -> StoreVisit {
        StoreVisit(
            visit: r.visit, store: Int(r.store), time: r.time, visitor: r.visitor,
            entryPoint: config.entryPoints[Int(r.entryPoint)], exitPoint: config.entryPoints[Int(r.exitPoint)],
            dwellSeconds: r.dwellSeconds, tags: Self.tagSets[Int(r.tags)])
    }

    /// `StoreVisit.encode`'s fields, the entry and exit points and the tags copied pre-encoded.
    @inline(__always)  // into `DatasourceStream.encodeNextRow`, where the model is then used in place, not copied
    public func encode(_ r: StoreVisitRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.prefixedID("visit_id", "visit_", r.visit)
        encoder.prefixedID("store_id", "store_", Int(r.store))
        encoder.timestamp("timestamp", timestamp ?? r.time)
        encoder.prefixedID("visitor_id", "visitor_", r.visitor)
        encoder.field(entryField, Int(r.entryPoint))
        encoder.field(exitField, Int(r.exitPoint))
        encoder.integer("dwell_time_seconds", r.dwellSeconds)
        encoder.field(tagsField, Int(r.tags))
        encoder.endRow()
    }
}
