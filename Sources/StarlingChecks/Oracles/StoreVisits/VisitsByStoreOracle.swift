import StarlingSim

/// `visits_by_store`: per store, visits, distinct visitors, dwell (rounded average and total),
/// first and last visit; ordered by visits DESC, store_id ASC, then LIMIT.
public struct VisitsByStoreOracle: PipeOracle {
    public static let pipe = "visits_by_store"
    public static let datasource = "store_visits"
    public static let roundedRatios = ["avg_dwell_time"]

    struct Store: Sendable {
        var visits: Int64 = 0
        var visitors: Set<Int> = []
        var dwell: Int64 = 0
        var first = Int64.max
        var last = Int64.min
    }

    let storeID: String?
    let window: TimeWindow
    var limit: RowLimit
    public var rowLimit: RowLimit? {
        get { limit }
        set { if let newValue { limit = newValue } }
    }
    var stores: [Int: Store] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        storeID = reader.string("store_id")
        window = try reader.window()
        limit = try reader.limit(default: 100)
    }

    public mutating func consume(_ visit: StoreVisit) {
        guard window.contains(visit.time) else { return }
        if let storeID, visit.storeID != storeID { return }
        stores[visit.store, default: Store()].add(visit)
    }

    public func rows() -> [ExpectedRow] {
        let sorted = stores.map { (id: "store_\($0.key)", store: $0.value) }
            .rankedDescending(by: \.store.visits, thenBy: \.id)
        return limit.apply(sorted).map { id, s in
            ExpectedRow([
                .init("store_id", .string(id)),
                .init("visit_count", .integer(s.visits)),
                .init("unique_visitors", .integer(Int64(s.visitors.count))),
                .init("avg_dwell_time", .rounded2(ClickHouseMath.divide(s.dwell, s.visits))),
                .init("total_dwell_time", .integer(s.dwell)),
                .init("first_visit", .dateTime(s.first)),
                .init("last_visit", .dateTime(s.last)),
            ])
        }
    }
}

extension VisitsByStoreOracle.Store {
    mutating func add(_ visit: StoreVisit) {
        visits += 1
        visitors.insert(visit.visitor)
        dwell += Int64(visit.dwellSeconds)
        first = min(first, visit.time)
        last = max(last, visit.time)
    }
}

extension VisitsByStoreOracle {
    public func coverage() -> [String: Int] {
        [
            "stores tied on visit_count": Coverage.tied(stores.values.map(\.visits)),
            "a visitor seen in several stores": Coverage.inSeveral(stores.values.map(\.visitors)),
        ]
    }
}
