import StarlingProject

/// Column names of each datasource, in schema order (the CSV header; the NDJSON keys).
public enum DatasourceColumns {
    /// The column that holds each datasource's event time.
    public static let timeColumn: [String: String] = [
        "store_visits": "timestamp", "ecommerce_events": "event_time", "customer_touchpoints": "timestamp",
    ]

    /// Each seed datasource's columns, as its event type declares them beside its `encode`.
    public static let byDatasource: [String: [String]] = [
        "store_visits": StoreVisit.columns, "ecommerce_events": CommerceEvent.columns, "customer_touchpoints": Touchpoint.columns,
    ]
}

extension DatasourceConfig {
    /// The datasource's columns in schema order (the CSV header).
    public var columns: [String] {
        if case .spec(let c) = model { return c.schema.columns.map(\.name) }
        return DatasourceColumns.byDatasource[name] ?? []
    }

    /// The column holding the event time (the first column whose spec is the event time).
    public var timeColumn: String? {
        if case .spec(let c) = model {
            return zip(c.schema.columns, c.columns).first { if case .time = $0.1 { true } else { false } }?.0.name
        }
        return DatasourceColumns.timeColumn[name]
    }
}
