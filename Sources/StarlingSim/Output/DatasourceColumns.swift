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
