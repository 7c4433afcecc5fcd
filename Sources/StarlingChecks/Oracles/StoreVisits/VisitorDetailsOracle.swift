import StarlingSim

/// `visitor_details`: per visitor, visit count, first/last visit, unrounded average dwell time, and
/// the multisets of stores, entry points and tag lists (kept as counts per distinct value).
public struct VisitorDetailsOracle: PipeOracle {
    public static let pipe = "visitor_details"
    public static let datasource = "store_visits"

    struct Visitor: Sendable {
        var visits: Int64 = 0
        var first = Int64.max
        var last = Int64.min
        var dwell: Int64 = 0
        var stores: [Int: Int] = [:]
        var entryPoints: [String: Int] = [:]
        var tags: [[String]: Int] = [:]
    }

    let visitorID: String?
    let window: TimeWindow
    var limit: RowLimit
    public var rowLimit: RowLimit? {
        get { limit }
        set { if let newValue { limit = newValue } }
    }
    var visitors: [Int: Visitor] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        visitorID = reader.string("visitor_id")
        window = try reader.window()
        limit = try reader.limit(default: 100)
    }

    public mutating func consume(_ visit: StoreVisit) {
        guard window.contains(visit.time) else { return }
        if let visitorID, visit.visitorID != visitorID { return }
        visitors[visit.visitor, default: Visitor()].add(visit)
    }

    public func rows() -> [ExpectedRow] {
        guard visitorID == nil else { return visitors.map { $0.value.row(id: "visitor_\($0.key)") } }
        return visitors.ranked(idPrefix: "visitor_", by: \.last, limit: limit).map { $0.value.row(id: $0.id) }
    }
}

extension VisitorDetailsOracle.Visitor {
    mutating func add(_ visit: StoreVisit) {
        visits += 1
        first = min(first, visit.time)
        last = max(last, visit.time)
        dwell += Int64(visit.dwellSeconds)
        stores[visit.store, default: 0] += 1
        entryPoints[visit.entryPoint, default: 0] += 1
        tags[visit.tags, default: 0] += 1
    }

    func row(id: String) -> ExpectedRow {
        func expand<K>(_ counts: [K: Int], _ value: (K) -> ExpectedValue) -> ExpectedValue {
            .multiset(counts.flatMap { key, count in Array(repeating: value(key), count: count) })
        }
        return ExpectedRow([
            .init("visitor_id", .string(id)),
            .init("total_visits", .integer(visits)),
            .init("first_visit", .dateTime(first)),
            .init("last_visit", .dateTime(last)),
            .init("avg_dwell_time", .float(ClickHouseMath.divide(dwell, visits))),
            .init("visited_stores", expand(stores) { .string("store_\($0)") }),
            .init("entry_points", expand(entryPoints) { .string($0) }),
            .init("visit_tags", expand(tags) { .array($0.map { .string($0) }) }),
        ])
    }
}

extension VisitorDetailsOracle {
    public func coverage() -> [String: Int] {
        [
            "a visitor who visited several stores": visitors.values.filter { $0.stores.count > 1 }.count,
            "a visitor with several visits": visitors.values.filter { $0.visits > 1 }.count,
            "visitors tied on last_visit": Coverage.tied(visitors.values.map(\.last)),
            "a visit without tags": visitors.values.filter { $0.tags[[]] != nil }.count,
        ]
    }
}
