import StarlingProject

/// Column names of each datasource, in schema order (the CSV header; the NDJSON keys).
public enum DatasourceColumns {
    /// The column that holds each datasource's event time.
    public static let timeColumn: [String: String] = [
        "store_visits": "timestamp", "ecommerce_events": "event_time", "customer_touchpoints": "timestamp",
    ]

    public static let byDatasource: [String: [String]] = [
        "store_visits": ["visit_id", "store_id", "timestamp", "visitor_id", "entry_point", "exit_point", "dwell_time_seconds", "tags"],
        "ecommerce_events": ["event_time", "event_type", "user_id", "product_id", "category", "price", "quantity", "session_id", "country"],
        "customer_touchpoints": [
            "customer_id", "session_id", "timestamp", "touchpoint_id", "touchpoint_type", "channel", "device", "campaign_id",
            "conversion", "transaction_amount", "referrer", "page_url", "time_spent", "action", "metadata",
        ],
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
