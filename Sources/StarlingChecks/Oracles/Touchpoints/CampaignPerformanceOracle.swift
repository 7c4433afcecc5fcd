import StarlingSim

/// `campaign_performance`: per non-empty campaign_id, reach, click-through, conversion, revenue;
/// total_revenue DESC, campaign_id ASC, then LIMIT.
public struct CampaignPerformanceOracle: PipeOracle {
    public static let pipe = "campaign_performance"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["click_through_rate", "revenue_per_customer", "customer_conversion_rate"]

    let filter: TouchpointFilter
    var limit: RowLimit
    public var rowLimit: RowLimit? {
        get { limit }
        set { if let newValue { limit = newValue } }
    }
    var campaigns: [String: TouchpointGroup] = [:]
    var withoutCampaign = 0

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window(), campaignID: reader.string("campaign_id"))
        limit = try reader.limit(default: 100)
    }

    public mutating func consume(_ t: Touchpoint) {
        guard !t.campaignID.isEmpty else {
            withoutCampaign += 1
            return
        }
        guard filter.admits(t) else { return }
        campaigns[t.campaignID, default: TouchpointGroup()].add(t)
    }

    public func rows() -> [ExpectedRow] {
        let sorted = campaigns.rankedDescending(by: \.value.cents, thenBy: \.key)
        return limit.apply(sorted).map { campaign, g in
            ExpectedRow([
                .init("campaign_id", .string(campaign)),
                .init("touchpoints", .integer(g.touchpoints)),
                .init("unique_customers", .integer(g.uniqueCustomers)),
                .init("channels", .integer(Int64(g.channels.count))),
                .init("impressions", .integer(g.impressions)),
                .init("clicks", .integer(g.clicks)),
                .init("click_through_rate", .rounded2(g.impressions == 0
                    ? 0 : ClickHouseMath.divide(100 * g.clicks, g.impressions))),
                .init("conversions", .integer(g.conversions)),
                .init("customer_conversion_rate", g.customerConversionRate),
                .init("total_revenue", .rounded2(g.revenue)),
                .init("revenue_per_customer", .rounded2OfFloatSum(g.revenue / Double(g.uniqueCustomers))),
            ])
        }
    }
}

extension CampaignPerformanceOracle {
    public func coverage() -> [String: Int] {
        [
            "a campaign without impressions": campaigns.values.filter { $0.impressions == 0 }.count,
            "touchpoints without a campaign (left out)": withoutCampaign,
            "campaigns tied on revenue": Coverage.tied(campaigns.values.map(\.cents)),
        ]
    }
}
