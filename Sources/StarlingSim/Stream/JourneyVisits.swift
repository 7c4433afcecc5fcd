/// E-commerce events that are customer journeys' visits (`"journey_visits": true` in a scenario with
/// both datasources): the journeys' stream, generated again here exactly as its own datasource
/// generates it (same seed, same people), whose visits' product views, adds to cart and purchases
/// are also events of `ecommerce_events` — the same person (`cust_n` is `user_n`), product, price
/// (one catalogue), quantity and second. Merged by time with the shop's own sessions (the shop's
/// first on a tie), so the stream stays in time order and reproducible; a visit's session id is
/// `session_j<journey>_<visit>`, apart from the shop's `session_<n>`.
struct JourneyVisits: Sendable {
    var journeys: EventStream<JourneyModel>
    /// The journeys' country index → the shop's (by name; a country the shop does not list: its first).
    let countries: [Int32]
    var own: (record: CommerceRecord, owner: Int)?
    var visit: (record: CommerceRecord, owner: Int)?
    var ownDone = false
    var visitsDone = false

    init(journeys: EventStream<JourneyModel>, shopCountries: [String]) {
        self.journeys = journeys
        countries = journeys.model.config.countries.map { country in
            Int32(truncatingIfNeeded: shopCountries.firstIndex(of: country.0) ?? 0)
        }
    }

    /// The next event of the merged stream.
    mutating func next(own stream: inout EventStream<EcommerceModel>) -> (record: CommerceRecord, owner: Int)? {
        if own == nil, !ownDone {
            own = stream.nextRecordAndOwner()
            ownDone = own == nil
        }
        while visit == nil, !visitsDone {
            guard let (touchpoint, owner) = journeys.nextRecordAndOwner() else {
                visitsDone = true
                break
            }
            visit = commerce(touchpoint).map { ($0, owner) }
        }
        if let first = own, visit.map({ first.record.time <= $0.record.time }) ?? true {
            own = nil
            return first
        }
        defer { visit = nil }
        return visit
    }

    /// The e-commerce event a touchpoint is, if any.
    func commerce(_ t: TouchpointRecord) -> CommerceRecord? {
        let kind: CommerceEvent.Kind
        switch t.kind {
        case .productView: kind = .view
        case .addToCart: kind = .addToCart
        case .purchase: kind = .purchase
        default: return nil
        }
        let customer = Int(t.customer) - 1
        return CommerceRecord(
            time: t.time, user: Int(t.customer), product: Int(t.product), quantity: max(1, Int(t.quantity)), session: t.journey,
            country: countries[Int(journeys.model.countryOf[customer])], sessionPart: t.sessionNumber, kind: kind)
    }
}
