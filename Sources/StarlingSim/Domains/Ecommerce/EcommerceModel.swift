/// An online shop: users (each with a country for life, shopping in its local time, at a personal
/// rate, one session at a time and at most `maxSessionsPerDay` a day: `PersonSchedule`) start
/// sessions along the daily curve. A session bounces (one product view) or browses several products
/// from the catalogue (popular ones more often), may add some to the cart, may remove some, and may
/// buy what is left: one order, its lines in one second. The funnel's probabilities are derived from
/// the declared rates (bounce, add to cart, conversion), so they are what a profile measures.
public struct EcommerceModel: DomainModel {
    public static let datasource = "ecommerce_events"

    public let config: EcommerceConfig
    let seed: UInt64
    let catalogue: Catalogue
    var schedule: PersonSchedule
    let quantityChoice: AliasTable
    /// Derived from the targets: P(add to cart | not bounced), P(purchase | cart), the mean extra
    /// views of a session that does not bounce.
    let cartGivenStay: Double
    let purchaseGivenCart: Double
    let extraViews: Double
    /// A session's cart, reused from session to session (no allocation per session); empty between
    /// sessions, so it is not state a shard could disagree on.
    var cart: [(product: Int, quantity: Int)] = []
    /// With the journeys' visits (`JourneyVisits`): the customers' visits known ahead, which a
    /// session of the shop's own must not overlap; empty otherwise.
    var visits = VisitCalendar()
    /// `event_type` (by `Kind.position`), `category` (by category) and `country`, encoded once.
    let kindField, categoryField, countryField: FieldValues

    public init(config: EcommerceConfig, seed: UInt64, populationSeed: UInt64? = nil) {
        self.config = config
        self.seed = seed
        let populationSeed = populationSeed ?? seed
        catalogue = Catalogue(products: config.products, categories: config.categories, popularityExponent: config.productZipf, populationSeed: populationSeed)
        quantityChoice = AliasTable(weights: config.quantityWeights)
        let stay = max(1 - config.bounceRate, 1e-9)
        cartGivenStay = min(1, config.addToCartRate / stay)
        purchaseGivenCart = config.addToCartRate > 0 ? min(1, config.conversionRate / config.addToCartRate) : 0
        // Views: 1 for a bounce, 2 + extra otherwise, so that the mean is viewsPerSession.
        extraViews = max(0, (config.viewsPerSession - config.bounceRate) / stay - 2)

        // A user's tag in the schedule is their country.
        schedule = PersonSchedule.worldwide(
            countries: config.countries, curve: config.dailyCurve, perHour: config.sessionsPerHour, perWeek: config.sessionsPerUserPerWeek,
            people: config.users, sigma: config.activitySigma, ceiling: config.activityCeiling, cap: config.maxSessionsPerDay,
            populationSeed: populationSeed) { _, country in UInt32(truncatingIfNeeded: country) }.schedule
        kindField = FieldValues(key: "event_type", values: CommerceEvent.Kind.allCases.map(\.rawValue))
        categoryField = FieldValues(key: "category", values: config.categories.map(\.name))
        countryField = FieldValues(key: "country", values: config.countries.map(\.0))
    }

    public var peakSessionsPerSecond: Double { config.sessionsPerHour / 3600 }

    public func intensity(secondOfWeek: Int) -> Double { schedule.intensity(secondOfWeek: secondOfWeek) }

    public mutating func prepare(index: Int, start: Int64, seed: UInt64) {
        schedule.prepare(index: index, start: start, seed: seed, stream: StreamTag("session"))
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [CommerceRecord]) -> Int {
        var (rng, chosen) = schedule.begin(session: index, seed: seed, stream: StreamTag("session"), at: start)
        guard var (position, user, country, _) = chosen else { return 0 }
        if !visits.isEmpty {
            // Someone who is on a journey's visit during this session is not free for it.
            var tries = 0
            while visits.overlaps(start...(start + VisitCalendar.sessionLimit), of: user) {
                tries += 1
                guard tries < 16, let other = schedule.choose(at: start, using: &rng) else { return 0 }
                (position, user, country, _) = other
            }
        }
        let first = events.count
        var time = start
        func emit(_ kind: CommerceEvent.Kind, product: Int, quantity: Int, gap: Bool = true, rng: inout Xoshiro256) {
            if events.count > first, gap { time += 1 + Int64(Distribution.exponential(mean: config.eventGapSeconds, using: &rng)) }
            events.append(CommerceRecord(
                time: time, user: user + 1, product: product, quantity: quantity, session: index + 1,
                country: Int32(truncatingIfNeeded: country), kind: kind))
        }

        if rng.unit() < config.bounceRate {
            emit(.view, product: catalogue.sample(using: &rng), quantity: 1, rng: &rng)
        } else {
            // Taken out of the model while the session runs (unique, so appends reuse their storage).
            var cart: [(product: Int, quantity: Int)] = []
            swap(&cart, &self.cart)
            let views = 2 + (extraViews > 0 ? Distribution.geometric(mean: extraViews + 1, using: &rng) - 1 : 0)
            let carting = rng.unit() < cartGivenStay
            // Which views go into the cart: the first line at a random view, the others each with
            // the chance that makes `linesPerCart` lines on average.
            let firstLine = carting ? rng.below(views) : -1
            let moreLines = views > 1 ? min(1, (config.linesPerCart - 1) / Double(views - 1)) : 0
            for v in 0..<views {
                let product = catalogue.sample(using: &rng)
                emit(.view, product: product, quantity: 1, rng: &rng)
                if v == firstLine || (carting && rng.unit() < moreLines), !cart.contains(where: { $0.product == product }) {
                    let quantity = quantityChoice.sample(using: &rng) + 1
                    emit(.addToCart, product: product, quantity: quantity, rng: &rng)
                    cart.append((product, quantity))
                }
            }
            if !cart.isEmpty {
                let buying = rng.unit() < purchaseGivenCart
                var kept = 0
                // By index: `enumerated()` holds the array, so the first write below copied it (an
                // allocation per cart).
                for i in cart.indices {
                    let line = cart[i]
                    // A buyer keeps at least the first line: the order is never empty.
                    if (i > 0 || !buying), rng.unit() < config.removeFromCartRate {
                        emit(.removeFromCart, product: line.product, quantity: line.quantity, rng: &rng)
                    } else {
                        cart[kept] = line
                        kept += 1
                    }
                }
                if buying {
                    for (i, line) in cart.prefix(kept).enumerated() {
                        emit(.purchase, product: line.product, quantity: line.quantity, gap: i == 0, rng: &rng)
                    }
                }
            }
            // Not `removeAll(keepingCapacity:)`: the generic `replaceSubrange`, ~15 instructions per event.
            while cart.popLast() != nil {}
            swap(&cart, &self.cart)
        }
        if !visits.isEmpty, time > start + VisitCalendar.sessionLimit {
            // A session that would run into a known visit ends at the limit (its last events, an
            // order's lines all or none, are not generated).
            while let last = events.last, events.count > first, last.time > start + VisitCalendar.sessionLimit { events.removeLast() }
            time = events.count > first ? events[events.count - 1].time : start
        }
        // Busy until the session's last event, and the half hour of inactivity that ends a session.
        schedule.occupy(position, group: country, start: start, until: time + 1800)
        return user
    }

    public func event(_ r: CommerceRecord) -> CommerceEvent {
        CommerceEvent(
            time: r.time, kind: r.kind, user: r.user, product: r.product + 1,
            category: config.categories[catalogue.category[r.product]].name, price: catalogue.price[r.product],
            quantity: r.quantity, session: r.session, country: config.countries[Int(r.country)].0, sessionPart: Int(r.sessionPart))
    }

    /// `CommerceEvent.encode`'s fields, the event type, category and country copied pre-encoded:
    /// the shop's own sessions (`session_<n>`). A stream linked to the journeys' visits writes with
    /// `encodeLinked`: a branch on the session's form here cost every row of every e-commerce
    /// stream ~50 instructions (the encoder's field count no longer known from field to field).
    @inline(__always)  // into `DatasourceStream.encodeNextRow`, where the model is then used in place, not copied
    public func encode(_ r: CommerceRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        write(r, into: &encoder, timestamp: timestamp, linked: false)
    }

    /// `encode` for a stream linked to the journeys' visits (`journey_visits`): a visit's session
    /// is `session_j<journey>_<k>`.
    @inline(__always)
    func encodeLinked(_ r: CommerceRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        write(r, into: &encoder, timestamp: timestamp, linked: true)
    }

    @inline(__always)
    private func write(_ r: CommerceRecord, into encoder: inout some RowEncoder, timestamp: Int64?, linked: Bool) {
        encoder.beginRow()
        encoder.timestamp("event_time", timestamp ?? r.time)
        encoder.field(kindField, r.kind.position)
        encoder.prefixedID("user_id", "user_", r.user)
        encoder.prefixedID("product_id", "prod_", r.product + 1)
        encoder.field(categoryField, catalogue.category[r.product])
        encoder.decimal2("price", catalogue.price[r.product])
        encoder.integer("quantity", r.quantity)
        if !linked || r.sessionPart == 0 {
            encoder.prefixedID("session_id", "session_", r.session)
        } else {
            encoder.prefixedIDPair("session_id", "session_j", r.session, Int(r.sessionPart))
        }
        encoder.field(countryField, Int(r.country))
        encoder.endRow()
    }
}
