import StarlingSim

/// `channel_performance`: per channel, touchpoints, customers, sessions, conversions, revenue.
public struct ChannelPerformanceOracle: PipeOracle {
    public static let pipe = "channel_performance"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["customer_conversion_rate", "avg_time_spent", "avg_order_value"]

    let filter: TouchpointFilter
    var channels: [String: TouchpointGroup] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        filter = TouchpointFilter(window: try ParameterReader(pipe: Self.pipe, parameters: parameters).window())
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        channels[t.channel, default: TouchpointGroup()].add(t)
    }

    public func rows() -> [ExpectedRow] {
        channels.rankedDescending(by: \.value.cents, thenBy: \.key).map { channel, g in
            ExpectedRow([
                .init("channel", .string(channel)),
                .init("touchpoints", .integer(g.touchpoints)),
                .init("unique_customers", .integer(g.uniqueCustomers)),
                .init("sessions", .integer(Int64(g.sessions.count))),
                .init("conversions", .integer(g.conversions)),
                .init("converting_customers", .integer(Int64(g.convertingCustomers.count))),
                .init("customer_conversion_rate", g.customerConversionRate),
                .init("total_revenue", .rounded2(g.revenue)),
                .init("avg_order_value", .rounded2OfFloatSum(g.conversions == 0
                    ? 0 : ClickHouseMath.amount(cents: g.convertingCents) / Double(g.conversions))),
                .init("avg_time_spent", g.averageTimeSpent),
            ])
        }
    }
}

extension ChannelPerformanceOracle {
    public func coverage() -> [String: Int] {
        [
            "a channel without conversions": channels.values.filter { $0.conversions == 0 }.count,
            "channels tied on revenue": Coverage.tied(channels.values.map(\.cents)),
            "a customer converting on several channels": Coverage.inSeveral(channels.values.map(\.convertingCustomers)),
        ]
    }
}
