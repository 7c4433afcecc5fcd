/// `store_visits`: purchase rate, dwell median, visits per visitor per week, loyalty share, weekend
/// share; overlapping visits and visitors over the daily cap (see `DomainTargets`).
struct StoreVisitsAccumulator: RowAccumulator {
    static let datasource = "store_visits"
    static let layout = RowLayout(["visit_id", "timestamp", "visitor_id", "dwell_time_seconds", "tags"], arrays: ["tags"])
    enum Column {
        static let visit = 0, time = 1, visitor = 2, dwell = 3, tags = 4
    }

    static let purchasing = Array(VisitTag.purchasing.utf8)
    static let loyaltyMember = Array(VisitTag.loyaltyMember.utf8)

    let declared: DomainTargets
    let offsetSeconds: Int64
    var visitors = ByteInterner()
    var visitIDs = NameList()
    var spans: [SessionSpan] = []
    var purchasing = 0
    var weekend = 0
    var loyal: [Bool] = []
    var dwell = IntegerMedian()
    var first = Int64.max
    var last = Int64.min

    init(declared: DomainTargets) {
        self.declared = declared
        offsetSeconds = ProfileTime.seconds(hours: declared.storeUTCOffset)
    }

    mutating func add(_ row: ProfileRow) throws(RowProblem) {
        let time = try row.milliseconds(Column.time)
        let visitor = visitors.intern(try row.text(Column.visitor))
        if Int(visitor) == loyal.count { loyal.append(false) }
        let dwellSeconds = try row.integer(Column.dwell)
        var purchased = false, member = false
        try row.forEachElement(Column.tags) { tag in
            if Self.equal(tag, Self.purchasing) { purchased = true }
            if Self.equal(tag, Self.loyaltyMember) { member = true }
        }
        let label = visitIDs.append(try row.text(Column.visit))

        if purchased { purchasing += 1 }
        if member { loyal[Int(visitor)] = true }
        let localSeconds = ProfileTime.split(time).seconds + offsetSeconds
        if CivilTime.weekday(epochSeconds: localSeconds) >= 5 { weekend += 1 }
        dwell.add(dwellSeconds)
        first = min(first, time)
        last = max(last, time)
        spans.append(SessionSpan(start: time, end: time + Int64(dwellSeconds) * 1000, person: visitor, label: label))
    }

    static func equal(_ tag: UnsafeBufferPointer<UInt8>, _ name: [UInt8]) -> Bool {
        RowLayout.equal(name, tag)
    }

    func finish() -> MeasuredRows {
        let visits = spans.count
        let (visitors, visitIDs, offset) = (self.visitors, self.visitIDs, offsetSeconds)
        let sessions = PersonSessions(
            spans, persons: visitors.count, maxPerDay: declared.maxPerDay, first: visits > 0 ? first : nil, last: visits > 0 ? last : nil,
            naming: SessionNaming(
                noun: "visit", dayKind: "stores' local time", person: { visitors.name($0) }, label: { visitIDs.name($0) },
                offsetSeconds: { _ in offset }, overlapName: "overlapping_visits", capName: "visitors_over_daily_cap",
                weekName: "visits_per_visitor_per_week",
                weekMeaning: "in each complete 7-day window from the first event's UTC midnight, visits ÷ distinct visitors; the mean over the windows"))
        let median = dwell.median.map { $0 / 60 }
        return MeasuredRows(
            first: visits > 0 ? first : nil, last: visits > 0 ? last : nil,
            counts: [.init(name: "visits", value: visits), .init(name: "visitors", value: visitors.count)],
            statistics: [
                .proportion("purchase_rate", purchasing, of: visits, meaning: "visits tagged \"purchasing\" ÷ visits", none: "no visits"),
                Statistic("dwell_median_minutes", median, n: visits, kind: .value, meaning: "median dwell_time_seconds ÷ 60", note: visits == 0 ? "no visits" : nil),
                sessions.perWeek,
                .proportion("loyalty_member_share", loyal.count(where: { $0 }), of: visitors.count,
                            meaning: "distinct visitors with a \"loyalty member\" visit ÷ distinct visitors", none: "no visitors"),
                .proportion("weekend_visit_share", weekend, of: visits, meaning: "visits on Saturday or Sunday (stores' local time) ÷ visits", none: "no visits"),
            ],
            impossibilities: [sessions.overlaps, sessions.overCap])
    }
}

/// The exact median of integers, from their counts: a dense table for 0..<65 536 (seconds of
/// dwell, of time spent), a dictionary for any other value. Memory is bounded by distinct values.
struct IntegerMedian {
    private var dense = [Int](repeating: 0, count: 1 << 16)
    private var sparse: [Int: Int] = [:]
    private(set) var count = 0

    mutating func add(_ value: Int) {
        if value >= 0, value < dense.count {
            dense[value] += 1
        } else {
            sparse[value, default: 0] += 1
        }
        count += 1
    }

    /// The middle value, or the mean of the two middle values; nil when empty.
    var median: Double? {
        guard count > 0 else { return nil }
        let lower = value(atRank: (count - 1) / 2), upper = value(atRank: count / 2)
        return (Double(lower) + Double(upper)) / 2
    }

    /// The value with `rank` values below it (0-based, in ascending order).
    func value(atRank rank: Int) -> Int {
        var seen = 0
        let negatives = sparse.keys.filter { $0 < 0 }.sorted()
        for value in negatives {
            seen += sparse[value] ?? 0
            if seen > rank { return value }
        }
        for (value, n) in dense.enumerated() where n > 0 {
            seen += n
            if seen > rank { return value }
        }
        for value in sparse.keys.filter({ $0 >= dense.count }).sorted() {
            seen += sparse[value] ?? 0
            if seen > rank { return value }
        }
        return 0
    }
}
