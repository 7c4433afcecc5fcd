/// E-commerce events that are customer journeys' visits (`"journey_visits": true` in a scenario with
/// both datasources): the journeys' stream, generated again here exactly as its own datasource
/// generates it (same seed, same people), whose visits' product views, adds to cart and purchases
/// are also events of `ecommerce_events` — the same person (`cust_n` is `user_n`), product, price
/// (one catalogue), quantity and second. Merged by time with the shop's own sessions (the shop's
/// first on a tie), so the stream stays in time order and reproducible; a visit's session id is
/// `session_j<journey>_<visit>`, apart from the shop's `session_<n>`.
struct JourneyVisits {
    var journeys: EventStream<JourneyModel>
    /// The journeys' country index → the shop's (by name; a country the shop does not list: its first).
    let countries: [Int32]
    var own: (record: CommerceRecord, owner: Int)?
    var visit: (record: CommerceRecord, owner: Int)?
    var ownDone = false
    var visitsDone = false
    /// The customers' visits known ahead (`lookahead`), for the shop's own sessions to avoid.
    var calendar = VisitCalendar()

    /// How far ahead of the shop's next session the journeys are generated: every visit starting
    /// before then is known when the session picks its user (a shop session lasts at most
    /// `VisitCalendar.sessionLimit`, less than this).
    static let lookahead: Int64 = 3 * 3600

    init(journeys: EventStream<JourneyModel>, shopCountries: [String]) {
        self.journeys = journeys
        countries = journeys.model.config.countries.map { country in
            Int32(truncatingIfNeeded: shopCountries.firstIndex(of: country.0) ?? 0)
        }
    }

    /// The next event of the merged stream.
    mutating func next(own stream: inout EventStream<EcommerceModel>) -> (record: CommerceRecord, owner: Int)? {
        if own == nil, !ownDone {
            if !stream.arrivalSecond.done {
                var visits: [(person: Int, span: ClosedRange<Int64>)] = []
                journeys.generateArrivals(before: stream.arrivalSecond.second + Self.lookahead) { records in
                    Self.visits(in: records, into: &visits)
                }
                for visit in visits { calendar.add(visit.span, of: visit.person) }
                calendar.forget(before: stream.arrivalSecond.second - Self.lookahead)
            }
            swap(&calendar, &stream.model.visits)
            own = stream.nextRecordAndOwner()
            swap(&calendar, &stream.model.visits)
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

    /// The visits of a journey just generated, as the shop sees them: per visit (session number),
    /// its first to its last touchpoint that is an e-commerce event.
    static func visits(in records: ArraySlice<TouchpointRecord>, into visits: inout [(person: Int, span: ClosedRange<Int64>)]) {
        var session: Int32 = -1
        for r in records where r.kind == .productView || r.kind == .addToCart || r.kind == .purchase {
            let person = Int(r.customer) - 1
            if r.sessionNumber == session, let last = visits.last {
                visits[visits.count - 1].span = last.span.lowerBound...max(last.span.upperBound, r.time)
            } else {
                visits.append((person, r.time...r.time))
                session = r.sessionNumber
            }
        }
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

/// The customers' visits to the shop that the journeys hold, known ahead: a shop session does not
/// pick a user who has one during it (a person browses the shop once at a time).
struct VisitCalendar: Sendable {
    /// A shop session of its own lasts at most this long (longer ones end there).
    static let sessionLimit: Int64 = 2 * 3600

    private var visits: [Int: [ClosedRange<Int64>]] = [:]
    private var oldest = Int64.max

    var isEmpty: Bool { visits.isEmpty }

    mutating func add(_ span: ClosedRange<Int64>, of person: Int) {
        visits[person, default: []].append(span)
        oldest = min(oldest, span.upperBound)
    }

    /// Whether the person has a visit overlapping `span`.
    func overlaps(_ span: ClosedRange<Int64>, of person: Int) -> Bool {
        visits[person]?.contains { $0.overlaps(span) } ?? false
    }

    /// Drops the visits that ended before `t` (now and then: a pass over all of them).
    mutating func forget(before t: Int64) {
        guard oldest < t - 6 * 3600 else { return }
        visits = visits.compactMapValues { spans in
            let kept = spans.filter { $0.upperBound >= t }
            return kept.isEmpty ? nil : kept
        }
        oldest = visits.values.lazy.flatMap { $0 }.map(\.upperBound).min() ?? .max
    }
}
