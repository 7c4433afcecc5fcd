import StarlingSim

/// `customer_journey_summary`: per customer, touchpoints, sessions, channels, first/last time,
/// conversion and revenue totals; last_touchpoint DESC, customer_id ASC, then LIMIT.
public struct CustomerJourneySummaryOracle: PipeOracle {
    public static let pipe = "customer_journey_summary"
    public static let datasource = "customer_touchpoints"

    let filter: TouchpointFilter
    var limit: RowLimit
    public var rowLimit: RowLimit? {
        get { limit }
        set { if let newValue { limit = newValue } }
    }
    var customers: [Int: TouchpointGroup] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window(), customerID: reader.string("customer_id"))
        limit = try reader.limit(default: 100)
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        customers[t.customer, default: TouchpointGroup()].add(t)
    }

    public func rows() -> [ExpectedRow] {
        customers.ranked(idPrefix: "cust_", by: \.last, limit: limit).map { id, g in
            ExpectedRow([
                .init("customer_id", .string(id)),
                .init("total_touchpoints", .integer(g.touchpoints)),
                .init("sessions", .integer(Int64(g.sessions.count))),
                .init("channels_used", .integer(Int64(g.channels.count))),
                .init("first_touchpoint", .dateTime(g.first)),
                .init("last_touchpoint", .dateTime(g.last)),
                .init("journey_duration_seconds", .integer(g.last - g.first)),
                .init("converted", .integer(g.conversions > 0 ? 1 : 0)),
                .init("conversions", .integer(g.conversions)),
                .init("total_revenue", .rounded2(g.revenue)),
                .init("total_time_spent", .integer(g.timeSpent)),
            ])
        }
    }
}

extension CustomerJourneySummaryOracle {
    public func coverage() -> [String: Int] {
        [
            "a customer with several sessions": customers.values.filter { $0.sessions.count > 1 }.count,
            "a customer with several conversions": customers.values.filter { $0.conversions > 1 }.count,
            "customers tied on last_touchpoint": Coverage.tied(customers.values.map(\.last)),
            "a customer with a single touchpoint (no duration)": customers.values.filter { $0.touchpoints == 1 }.count,
        ]
    }
}
