import StarlingSim

/// `device_channel_analysis`: per (device, channel); touchpoints DESC, device ASC, channel ASC.
public struct DeviceChannelAnalysisOracle: PipeOracle {
    public static let pipe = "device_channel_analysis"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["conversion_rate", "avg_time_spent"]

    struct Key: Hashable, Sendable {
        var device: String
        var channel: String
    }

    let filter: TouchpointFilter
    var groups: [Key: TouchpointGroup] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        filter = TouchpointFilter(window: try ParameterReader(pipe: Self.pipe, parameters: parameters).window())
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        groups[Key(device: t.device, channel: t.channel), default: TouchpointGroup()].add(t)
    }

    public func rows() -> [ExpectedRow] {
        groups.sorted { a, b in
            if a.value.touchpoints != b.value.touchpoints { return a.value.touchpoints > b.value.touchpoints }
            if a.key.device != b.key.device { return a.key.device.bytewisePrecedes(b.key.device) }
            return a.key.channel.bytewisePrecedes(b.key.channel)
        }.map { key, g in
            ExpectedRow([
                .init("device", .string(key.device)),
                .init("channel", .string(key.channel)),
                .init("touchpoints", .integer(g.touchpoints)),
                .init("unique_customers", .integer(g.uniqueCustomers)),
                .init("sessions", .integer(Int64(g.sessions.count))),
                .init("conversions", .integer(g.conversions)),
                .init("conversion_rate", .rounded2(ClickHouseMath.divide(100 * g.conversions, g.touchpoints))),
                .init("total_revenue", .rounded2(g.revenue)),
                .init("avg_time_spent", g.averageTimeSpent),
            ])
        }
    }
}

extension DeviceChannelAnalysisOracle {
    public func coverage() -> [String: Int] {
        [
            "device and channel groups tied on touchpoints": Coverage.tied(groups.values.map(\.touchpoints)),
            "a device and channel group with conversions": groups.values.filter { $0.conversions > 0 }.count,
            "a conversion rate that needs rounding": groups.values.filter { $0.conversions > 0 && (100 * 100 * $0.conversions) % $0.touchpoints != 0 }.count,
        ]
    }
}
