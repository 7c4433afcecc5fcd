/// The knobs of the retail foot-traffic model, with realistic defaults.
public struct FootTrafficConfig: Sendable {
    /// Number of stores (`store_1` …).
    public var stores = 8
    /// Relative traffic of each store; by default a gentle Zipf (flagship stores draw more).
    public var storeShares: [Double]? = nil
    /// Opening hours `[open, close)` in UTC hours for weekdays and weekends, cycled over the stores.
    public var weekdayHours: [[Double]] = [[9, 21], [10, 22], [8, 20]]
    public var weekendHours: [[Double]] = [[10, 20], [10, 19], [9, 18]]
    /// Entry points; each store has a subset of them (the first is always its main entrance).
    public var entryPoints = ["main entrance", "side door", "back door", "patio entrance", "parking entrance"]
    /// Size of the visitor population and the power-law exponent of how often each returns.
    public var visitors = 20_000
    public var visitorZipf = 1.05
    /// Visits per hour across all stores at the busiest hour of a weekday.
    public var visitsPerHour = 900.0
    public var dailyCurve = DailyCurve.retail
    /// Probability that a visitor goes to their home store when it is open.
    public var homeStoreProbability = 0.8
    public var sameExitProbability = 0.85
    public var loyaltyRate = 0.3
    /// Share of visitors who mostly shop on weekdays (tag `weekday shopper` on their weekday visits).
    public var weekdayShopperRate = 0.6
    /// Purchase probability per visit; loyalty members buy more often.
    public var purchaseRate = 0.35
    public var loyaltyPurchaseUplift = 1.4
    /// Dwell time: log-normal with these medians (seconds) and sigma; purchasing visits are longer.
    public var dwellMedianSeconds = 540.0
    public var purchaseDwellMedianSeconds = 1500.0
    public var dwellSigma = 0.55

    public init() {}

    /// Reads the `store_visits` object of a scenario; `share` is read by the caller.
    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        stores = try reader.int("stores", default: stores, in: 1...100_000)
        let shares = try reader.doubles("store_shares", default: [], count: stores...stores)
        storeShares = shares.isEmpty ? nil : shares
        weekdayHours = try reader.hourRanges("weekday_hours", default: weekdayHours)
        weekendHours = try reader.hourRanges("weekend_hours", default: weekendHours)
        entryPoints = try reader.strings("entry_points", default: entryPoints)
        visitors = try reader.int("visitors", default: visitors, in: 1...100_000_000)
        visitorZipf = try reader.double("visitor_zipf", default: visitorZipf, in: 0...5)
        visitsPerHour = try reader.double("visits_per_hour", default: visitsPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        homeStoreProbability = try reader.probability("home_store_probability", default: homeStoreProbability)
        sameExitProbability = try reader.probability("same_exit_probability", default: sameExitProbability)
        loyaltyRate = try reader.probability("loyalty_rate", default: loyaltyRate)
        weekdayShopperRate = try reader.probability("weekday_shopper_rate", default: weekdayShopperRate)
        purchaseRate = try reader.probability("purchase_rate", default: purchaseRate)
        loyaltyPurchaseUplift = try reader.double("loyalty_purchase_uplift", default: loyaltyPurchaseUplift, in: 0...10)
        dwellMedianSeconds = try reader.double("dwell_median_seconds", default: dwellMedianSeconds, in: 1...86_400)
        purchaseDwellMedianSeconds = try reader.double("purchase_dwell_median_seconds", default: purchaseDwellMedianSeconds, in: 1...86_400)
        dwellSigma = try reader.double("dwell_sigma", default: dwellSigma, in: 0...3)
    }
}

extension FootTrafficConfig {
    public var expectations: Expectations {
        Expectations(datasource: FootTrafficModel.datasource, targets: [
            .init("purchase_rate", purchaseRate, meaning: "visits tagged purchasing ÷ visits"),
        ], maxPerDay: 3)
    }
}
