import Foundation

/// For each of the 14 pipes, a deliberately altered copy (`<pipe>_mutant`): a changed filter,
/// interval, aggregate, ORDER BY direction, window offset or HAVING bound — each one a change that
/// alters the result on the generated data, so a correct check must catch it.
enum Mutants {
    struct Mutation: Sendable {
        var pipe: String
        var original: String
        var replacement: String
        var what: String
    }

    static let all: [Mutation] = [
        .init(pipe: "visitor_details", original: "groupArray(store_id)", replacement: "groupUniqArray(store_id)",
              what: "a multiset became a set"),
        .init(pipe: "hourly_traffic_patterns", original: "toHour(timestamp)", replacement: "toHour(timestamp + INTERVAL 1 HOUR)",
              what: "hours shifted by one (a time zone bug)"),
        .init(pipe: "visits_by_store", original: "sum(dwell_time_seconds)", replacement: "max(dwell_time_seconds)",
              what: "sum → max"),
        .init(pipe: "top_products", original: "sum(price * quantity)", replacement: "sum(price)",
              what: "revenue ignores quantity"),
        .init(pipe: "events_by_country", original: "count() AS event_count", replacement: "uniqExact(user_id) AS event_count",
              what: "events → users"),
        .init(pipe: "total_revenue", original: "INTERVAL 15 MINUTE", replacement: "INTERVAL 30 MINUTE",
              what: "15 → 30 minute bins"),
        .init(pipe: "customer_journey_details", original: "ORDER BY timestamp ASC", replacement: "ORDER BY timestamp DESC",
              what: "newest first"),
        .init(pipe: "touchpoint_time_analysis", original: "HAVING count() >= 2", replacement: "HAVING count() >= 3",
              what: "customers with two touchpoints dropped"),
        .init(pipe: "device_channel_analysis", original: "round(avg(time_spent), 2)", replacement: "round(avg(time_spent), 1)",
              what: "rounded to 1 decimal"),
        .init(pipe: "touchpoint_funnel", original: "lagInFrame(customers, 1, customers)", replacement: "lagInFrame(customers, 2, customers)",
              what: "drop-off against the step two back"),
        .init(pipe: "customer_journey_summary", original: "uniqExact(session_id) AS sessions", replacement: "count(session_id) AS sessions",
              what: "distinct sessions → touchpoints"),
        .init(pipe: "journey_paths", original: "round(sum(journey[length(journey)].5), 2)", replacement: "round(max(journey[length(journey)].5), 2)",
              what: "sum → max of revenue"),
        .init(pipe: "channel_performance", original: "/ conversions, 2)", replacement: "/ touchpoints, 2)",
              what: "order value per touchpoint"),
        .init(pipe: "campaign_performance", original: "touchpoint_type IN ('ad_click', 'email_click')", replacement: "touchpoint_type = 'ad_click'",
              what: "email clicks not counted"),
    ]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A temporary copy of `project` with every mutant added as `<pipe>_mutant.pipe`.
    static func project(copying project: URL) throws -> URL {
        let fm = FileManager.default
        let directory = fm.temporaryDirectory.appendingPathComponent("starling-mutants-\(UUID().uuidString)")
        try fm.copyItem(at: project, to: directory)
        let endpoints = directory.appendingPathComponent("endpoints")
        for mutation in all {
            let source = try String(contentsOf: endpoints.appendingPathComponent("\(mutation.pipe).pipe"), encoding: .utf8)
            guard source.contains(mutation.original) else {
                throw Failure(description: "\(mutation.pipe).pipe no longer contains '\(mutation.original)'")
            }
            let mutated = source.replacingOccurrences(of: mutation.original, with: mutation.replacement)
                .replacingOccurrences(of: "NODE \(mutation.pipe)", with: "NODE \(mutation.pipe)_mutant")
            try mutated.write(to: endpoints.appendingPathComponent("\(mutation.pipe)_mutant.pipe"), atomically: true, encoding: .utf8)
        }
        return directory
    }
}
