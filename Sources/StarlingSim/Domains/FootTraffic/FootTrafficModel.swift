/// Retail foot traffic: visitors (a power law of returning visitors, each with a home store, a
/// loyalty status and a weekday/weekend habit) visit stores that are open, at the rate of a daily
/// curve with lunch and after-work peaks and a weekend uplift. Purchasing visits last longer.
public struct FootTrafficModel: DomainModel {
    public static let datasource = "store_visits"

    public let config: FootTrafficConfig
    let stores: [Store]
    let storeChoice: AliasTable
    let totalShare: Double
    /// `intensity(at:)` at each second of a weekday (0..<86 400) and of a weekend day
    /// (86 400..<172 800) — it depends on nothing else: the arrival process asks for every candidate
    /// arrival, and a quiet night has many candidates per visit, so it is a lookup, not a loop over
    /// the stores and the daily curve's arithmetic.
    let intensities: [Double]
    let visitorChoice: Zipf
    let seed: UInt64
    /// One bit per visitor: seen before (for the `first visit` tag). Per entity, so shards agree.
    var seen: [UInt64]
    /// `entry_point`, `exit_point` (both by entry point) and `tags` (by `tagSets` index), encoded once.
    let entryField, exitField, tagsField: FieldValues
    /// Each visitor's profile once drawn (`visitor(_:)`, a function of the visitor alone), packed:
    /// home store + 1 in the low 30 bits, loyalty member bit 30, weekday shopper bit 31; 0 for not
    /// drawn yet. Drawing it again per visit (a generator seeded, three draws) was 7% of a visit.
    /// Empty for a population over `profileCacheLimit` visitors (there, each is drawn every time).
    var profiles: [UInt32]
    static let profileCacheLimit = 1 << 22

    struct Store: Sendable {
        var share: Double
        var weekdayHours: (open: Double, close: Double)
        var weekendHours: (open: Double, close: Double)
        var entries: [Int]
        var entryChoice: AliasTable

        func isOpen(at t: Int64) -> Bool {
            isOpen(hour: Double(CivilTime.secondOfDay(epochSeconds: t)) / 3600, weekend: CivilTime.weekday(epochSeconds: t) >= 5)
        }

        /// Open at `hour` (fractional, UTC) of a weekend day or of a weekday.
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

    public init(config: FootTrafficConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        let shares = config.storeShares ?? (0..<config.stores).map { 1 / Double($0 + 1).squareRoot() }
        stores = (0..<config.stores).map { i in
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
        storeChoice = AliasTable(weights: shares)
        totalShare = shares.reduce(0, +)
        // Monday 1970-01-05 and Saturday 1970-01-10 stand for every weekday and weekend day.
        intensities = [Int64(4), 9].flatMap { [stores, totalShare, curve = config.dailyCurve] day in
            (Int64(0)..<86_400).map { second in
                let t = day * 86_400 + second
                var open = 0.0
                for store in stores where store.isOpen(at: t) { open += store.share }
                return curve.intensity(at: t) * open / totalShare
            }
        }
        visitorChoice = Zipf(count: config.visitors, exponent: config.visitorZipf)
        seen = Array(repeating: 0, count: config.visitors / 64 + 1)
        entryField = FieldValues(key: "entry_point", values: config.entryPoints)
        exitField = FieldValues(key: "exit_point", values: config.entryPoints)
        tagsField = FieldValues(key: "tags", arrays: Self.tagSets)
        profiles = config.visitors <= Self.profileCacheLimit && config.stores < 1 << 30 ? Array(repeating: 0, count: config.visitors) : []
    }

    /// Every set of tags a visit can carry, indexed by its bits (loyalty member 1, weekday shopper 2,
    /// weekend shopper 4, purchasing 8, first visit 16): built once and shared, not per visit.
    static let tagSets: [[String]] = (0..<32).map { bits in
        [VisitTag.loyaltyMember, VisitTag.weekdayShopper, VisitTag.weekendShopper, VisitTag.purchasing, VisitTag.firstVisit]
            .enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element)
    }

    public var peakSessionsPerSecond: Double { config.visitsPerHour / 3600 }

    /// The daily curve times the share of traffic whose store is open now: no visits while closed.
    public func intensity(secondOfDay: Int, weekend: Bool) -> Double {
        intensities[secondOfDay + (weekend ? 86_400 : 0)]
    }

    func visitor(_ index: Int) -> Visitor {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("visitor"), index: UInt64(index))
        return Visitor(homeStore: storeChoice.sample(using: &rng),
                       loyal: rng.unit() < config.loyaltyRate,
                       weekdayShopper: rng.unit() < config.weekdayShopperRate)
    }

    /// `visitor(index)`, from `profiles` once drawn.
    mutating func profile(_ index: Int) -> Visitor {
        guard index < profiles.count else { return visitor(index) }
        let packed = profiles[index]
        if packed != 0 {
            return Visitor(homeStore: Int(packed & 0x3FFF_FFFF) - 1, loyal: packed & 1 << 30 != 0, weekdayShopper: packed & 1 << 31 != 0)
        }
        let drawn = visitor(index)
        profiles[index] = UInt32(truncatingIfNeeded: drawn.homeStore + 1) | (drawn.loyal ? 1 << 30 : 0) | (drawn.weekdayShopper ? 1 << 31 : 0)
        return drawn
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

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [StoreVisitRecord]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("visit"), index: UInt64(index))
        let visitorIndex = visitorChoice.sample(using: &rng)
        let profile = profile(visitorIndex)
        let weekend = CivilTime.weekday(epochSeconds: start) >= 5
        let hour = Double(CivilTime.secondOfDay(epochSeconds: start)) / 3600
        let storeIndex = chooseStore(for: profile, hour: hour, weekend: weekend, using: &rng)

        // The store's fields in place (a copy of the `Store` would retain its arrays).
        let entry = stores[storeIndex].entries[stores[storeIndex].entryChoice.sample(using: &rng)]
        var exit = entry
        let entries = stores[storeIndex].entries.count
        if entries > 1, rng.unit() >= config.sameExitProbability {
            while exit == entry { exit = stores[storeIndex].entries[rng.below(entries)] }
        }

        let buyRate = min(1, config.purchaseRate * (profile.loyal ? config.loyaltyPurchaseUplift : 1))
        let purchasing = rng.unit() < buyRate
        let median = purchasing ? config.purchaseDwellMedianSeconds : config.dwellMedianSeconds
        let dwell = Distribution.roundedLogNormal(median: median, sigma: config.dwellSigma, using: &rng)

        let (word, bit) = (visitorIndex / 64, UInt64(1) << UInt64(visitorIndex % 64))
        let firstVisit = seen[word] & bit == 0
        seen[word] |= bit
        var combination = 0
        if profile.loyal { combination |= 1 }
        if !weekend && profile.weekdayShopper { combination |= 2 }
        if weekend && !profile.weekdayShopper { combination |= 4 }
        if purchasing { combination |= 8 }
        if firstVisit { combination |= 16 }
        events.append(StoreVisitRecord(
            time: start, visit: index + 1, visitor: visitorIndex + 1,
            dwellSeconds: min(max(dwell, 30), 6 * 3600), store: Int32(truncatingIfNeeded: storeIndex + 1),
            entryPoint: Int32(truncatingIfNeeded: entry), exitPoint: Int32(truncatingIfNeeded: exit),
            tags: Int32(truncatingIfNeeded: combination)))
        return visitorIndex
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
