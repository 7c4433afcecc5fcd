import Testing
@testable import StarlingSim

/// A hand-written row of any datasource, written by Starling's own encoders (so the CSV of an
/// array is exactly what `CSVEncoder` writes).
struct ProfileTestRow: EncodableRow {
    enum Cell: Sendable {
        case text(String), integer(Int), decimal(Double), time(Int64), tags([String])
    }

    var cells: [(key: StaticString, cell: Cell)]

    func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        for (key, cell) in cells {
            switch cell {
            case .text(let value): encoder.string(key, value)
            case .integer(let value): encoder.integer(key, value)
            case .decimal(let value): encoder.decimal2(key, value)
            case .time(let value): encoder.timestamp(key, value)
            case .tags(let value): encoder.stringArray(key, value)
            }
        }
        encoder.endRow()
    }

    /// The rows as a file of `format` (CSV with its header).
    static func file(_ rows: [ProfileTestRow], _ format: ProfileFormat) -> [UInt8] {
        switch format {
        case .ndjson:
            var encoder = NDJSONEncoder()
            for row in rows { row.encode(into: &encoder, timestamp: nil) }
            return encoder.bytes
        case .csv:
            var encoder = CSVEncoder()
            encoder.append(raw: (rows[0].cells.map { "\($0.key)" }.joined(separator: ",") + "\n").utf8)
            for row in rows { row.encode(into: &encoder, timestamp: nil) }
            return encoder.bytes
        }
    }
}

/// 2025-05-12 00:00:00 UTC, a Monday.
let startMonday: Int64 = 1_747_008_000
let hour: Int64 = 3600
let day: Int64 = 86_400

/// Profiles `bytes` fed in chunks of `chunk` bytes.
func profiled(_ datasource: String, _ bytes: [UInt8], _ format: ProfileFormat, _ declared: DomainTargets,
              chunk: Int = 1 << 20) throws -> DatasourceProfile {
    var profiler = try #require(DatasourceProfiler(datasource: datasource, format: format, source: "test", declared: declared))
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + chunk)
        try bytes[start..<end].withUnsafeBufferPointer { (part) throws(ProfileInputError) in try profiler.consume(part) }
        start = end
    }
    return try profiler.finish()
}

extension DatasourceProfile {
    /// A statistic's value, whether a target names it or not.
    func value(_ name: String) -> Double? {
        targets.first { $0.name == name }?.measured ?? statistics.first { $0.name == name }?.value
    }

    func impossibility(_ name: String) -> Impossibility? { impossibilities.first { $0.name == name } }
}

struct VisitRow {
    var id: String
    var visitor: String
    var time: Int64
    var dwell: Int
    var tags: [String]

    var row: ProfileTestRow {
        ProfileTestRow(cells: [
            ("visit_id", .text(id)), ("store_id", .text("store_1")), ("timestamp", .time(time)), ("visitor_id", .text(visitor)),
            ("entry_point", .text("main entrance")), ("exit_point", .text("main entrance")), ("dwell_time_seconds", .integer(dwell)),
            ("tags", .tags(tags)),
        ])
    }

    /// Out of time order on purpose. Stores are at UTC−5 (`visitTargets`).
    static let rows = [
        VisitRow(id: "visit_3", visitor: "visitor_a", time: startMonday + 15 * hour, dwell: 60, tags: ["purchasing"]),
        VisitRow(id: "visit_1", visitor: "visitor_a", time: startMonday + 10 * hour, dwell: 600, tags: ["purchasing", "loyalty member"]),
        // Starts 5 minutes into visit_1, which lasts 10: an overlap; visitor_a's third visit of the (local) day.
        VisitRow(id: "visit_2", visitor: "visitor_a", time: startMonday + 10 * hour + 300, dwell: 300, tags: []),
        VisitRow(id: "visit_4", visitor: "visitor_b", time: startMonday + 5 * day + 12 * hour, dwell: 1200, tags: ["first visit"]),
        // Monday 02:00 UTC is Sunday 21:00 at the stores: a weekend visit, and past the first complete week.
        VisitRow(id: "visit_5", visitor: "visitor_b", time: startMonday + 7 * day + 2 * hour, dwell: 45, tags: []),
        VisitRow(id: "visit_6", visitor: "17", time: startMonday + day + 9 * hour, dwell: 90, tags: ["loyalty member", "it's \"odd\", really\\"]),
    ]
}

struct EventRow {
    var time: Int64
    var type: String
    var user: String
    var product: String
    var category: String
    var price: Double
    var session: String
    var country: String

    var row: ProfileTestRow {
        ProfileTestRow(cells: [
            ("event_time", .time(time)), ("event_type", .text(type)), ("user_id", .text(user)), ("product_id", .text(product)),
            ("category", .text(category)), ("price", .decimal(price)), ("quantity", .integer(1)), ("session_id", .text(session)),
            ("country", .text(country)),
        ])
    }

    static let rows = [
        EventRow(time: startMonday + 10 * hour, type: "view", user: "user_1", product: "prod_a", category: "Books", price: 10, session: "s1", country: "US"),
        EventRow(time: startMonday + 10 * hour + 60, type: "add_to_cart", user: "user_1", product: "prod_a", category: "Books", price: 10, session: "s1", country: "US"),
        // s2 starts before s1's last event: an overlap; its one event is a bounce.
        EventRow(time: startMonday + 10 * hour + 90, type: "view", user: "user_1", product: "prod_b", category: "Toys", price: 5, session: "s2", country: "US"),
        EventRow(time: startMonday + 10 * hour + 120, type: "purchase", user: "user_1", product: "prod_a", category: "Books", price: 10, session: "s1", country: "US"),
        // The order's second line one second later: split over two seconds.
        EventRow(time: startMonday + 10 * hour + 121, type: "purchase", user: "user_1", product: "prod_b", category: "Toys", price: 5, session: "s1", country: "US"),
        // 00:30 on Tuesday in Germany: a night session; prod_a at another price.
        EventRow(time: startMonday + 23 * hour + 1800, type: "view", user: "user_2", product: "prod_a", category: "Books", price: 9.99, session: "s3", country: "DE"),
        EventRow(time: startMonday + 23 * hour + 1860, type: "add_to_cart", user: "user_2", product: "prod_c", category: "Toys", price: 3, session: "s3", country: "DE"),
        EventRow(time: startMonday + 23 * hour + 1900, type: "remove_from_cart", user: "user_2", product: "prod_c", category: "Toys", price: 3, session: "s3", country: "DE"),
        // user_3: three sessions on Tuesday (ZZ has no declared offset: UTC), one more than the cap.
        EventRow(time: startMonday + day + 12 * hour, type: "view", user: "user_3", product: "prod_c", category: "Toys", price: 3, session: "s4", country: "ZZ"),
        EventRow(time: startMonday + day + 13 * hour, type: "view", user: "user_3", product: "prod_c", category: "Toys", price: 3, session: "s5", country: "ZZ"),
        EventRow(time: startMonday + day + 14 * hour, type: "view", user: "user_3", product: "prod_b", category: "Toys", price: 5, session: "s6", country: "ZZ"),
    ]
}

struct TouchRow {
    var customer: String
    var session: String
    var time: Int64
    var type: String
    var channel: String
    var device: String
    var campaign = ""
    var referrer: String
    var timeSpent: Int

    var row: ProfileTestRow {
        ProfileTestRow(cells: [
            ("customer_id", .text(customer)), ("session_id", .text(session)), ("timestamp", .time(time)), ("touchpoint_id", .text("tp")),
            ("touchpoint_type", .text(type)), ("channel", .text(channel)), ("device", .text(device)), ("campaign_id", .text(campaign)),
            ("conversion", .integer(type == "purchase" ? 1 : 0)), ("transaction_amount", .decimal(0)), ("referrer", .text(referrer)),
            ("page_url", .text("https://shop.example.com/")), ("time_spent", .integer(timeSpent)), ("action", .text("x")),
            ("metadata", .text("{\"product_id\":\"prod_1\",\"note\":\"a, b\"}")),
        ])
    }

    static let t0 = startMonday + 9 * hour, t1 = startMonday + 11 * hour, t2 = startMonday + 12 * hour, t3 = startMonday + 13 * hour
    static let rows = [
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0, type: "ad_impression", channel: "display", device: "desktop", campaign: "spring", referrer: "doubleclick.net", timeSpent: 2),
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0 + 10, type: "ad_click", channel: "display", device: "desktop", campaign: "spring", referrer: "doubleclick.net", timeSpent: 3),
        // Exactly the gap to the next touchpoint: not an overrun.
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0 + 20, type: "page_view", channel: "display", device: "desktop", referrer: "doubleclick.net", timeSpent: 30),
        // Journey 2 starts before journey 1 ends (t0 + 100): an overlap, and cust_1's second journey of the day.
        // Campaign spring on email: off its channel.
        TouchRow(customer: "cust_1", session: "sess_2_1", time: t0 + 50, type: "email_open", channel: "email", device: "mobile", campaign: "spring", referrer: "newsletter", timeSpent: 5),
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0 + 60, type: "add_to_cart", channel: "display", device: "desktop", referrer: "doubleclick.net", timeSpent: 5),
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0 + 70, type: "checkout", channel: "display", device: "desktop", referrer: "doubleclick.net", timeSpent: 20),
        TouchRow(customer: "cust_1", session: "sess_1_1", time: t0 + 100, type: "purchase", channel: "display", device: "desktop", referrer: "doubleclick.net", timeSpent: 10),
        TouchRow(customer: "cust_2", session: "sess_3_1", time: t1, type: "search", channel: "search", device: "mobile", referrer: "bing.com", timeSpent: 10),
        // 100 s on a page 30 s before the next touchpoint: an overrun; facebook.com is not a search referrer.
        TouchRow(customer: "cust_2", session: "sess_3_1", time: t1 + 15, type: "page_view", channel: "search", device: "mobile", referrer: "facebook.com", timeSpent: 100),
        TouchRow(customer: "cust_2", session: "sess_3_2", time: t1 + 45, type: "product_view", channel: "search", device: "mobile", referrer: "google.com", timeSpent: 20),
        // A purchase without a checkout (and below, a click without an impression): the funnel widens twice.
        TouchRow(customer: "cust_2", session: "sess_3_2", time: t1 + 80, type: "purchase", channel: "search", device: "mobile", referrer: "google.com", timeSpent: 5),
        // Campaign xmas runs in December.
        TouchRow(customer: "cust_3", session: "sess_4_1", time: t2, type: "ad_click", channel: "social", device: "tablet", campaign: "xmas", referrer: "facebook.com", timeSpent: 1),
        // Two touchpoints in the same second: file order decides which is next (0 s spent fits, 5 s would not).
        TouchRow(customer: "cust_4", session: "sess_5_1", time: t3, type: "email_open", channel: "email", device: "desktop", referrer: "newsletter", timeSpent: 0),
        TouchRow(customer: "cust_4", session: "sess_5_1", time: t3, type: "email_click", channel: "email", device: "desktop", referrer: "newsletter", timeSpent: 5),
        TouchRow(customer: "cust_4", session: "sess_5_1", time: t3 - 30, type: "email_open", channel: "email", device: "desktop", referrer: "newsletter", timeSpent: 10),
    ]
}

let visitTargets = DomainTargets(
    datasource: "store_visits", targets: [.init("purchase_rate", 1.0 / 3, meaning: "m"), .init("no_such_statistic", 1, meaning: "m")],
    maxPerDay: 2, storeUTCOffset: -5)
let eventTargets = DomainTargets(datasource: "ecommerce_events", targets: [.init("conversion_rate", 0.9, tolerance: 0.01, meaning: "m")],
                                     maxPerDay: 2, utcOffsets: ["US": -5, "DE": 1])
let touchTargets = DomainTargets(
    datasource: "customer_touchpoints", targets: [.init("ctr_social", 0.1, meaning: "m"), .init("device_share_watch", 0, meaning: "m")], maxPerDay: 1,
    campaignChannels: ["spring": ["display"], "xmas": ["social"]],
    campaignSeasons: ["xmas": CivilTime(year: 2025, month: 12, day: 1).epochSeconds...CivilTime(year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 59).epochSeconds],
    referrers: ["search": ["google.com", "bing.com"], "display": ["doubleclick.net"], "email": ["newsletter"], "social": ["facebook.com"]])
