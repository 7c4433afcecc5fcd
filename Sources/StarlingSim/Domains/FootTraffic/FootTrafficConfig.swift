/// The knobs of the retail foot-traffic model. Its behavioural targets (what an analyst measures)
/// are declared here with defaults from published figures (docs/realism.md), and the model's
/// parameters are derived from them: a scenario that writes `"purchase_rate": 0.25` gets a quarter
/// of visits purchasing.
public struct FootTrafficConfig: Sendable {
    /// Number of stores (`store_1` …).
    public var stores = 8
    /// Relative traffic of each store; by default a gentle Zipf (flagship stores draw more).
    public var storeShares: [Double]? = nil
    /// The stores' country: their visitors are the people who live there, and opening hours, days
    /// and visitors' habits follow its local time (`utc_offset`, by default the country's).
    public var country = "US"
    public var utcOffsetHours: Double? = nil
    /// The population's countries (shared with the other domains of a scenario: keep them equal).
    public var countries = Countries.defaultShares
    /// Opening hours `[open, close)` in local hours for weekdays and weekends, cycled over the stores.
    public var weekdayHours: [[Double]] = [[9, 21], [10, 22], [8, 20]]
    public var weekendHours: [[Double]] = [[10, 20], [10, 19], [9, 18]]
    /// Entry points; each store has a subset of them (the first is always its main entrance).
    public var entryPoints = ["main entrance", "side door", "back door", "patio entrance", "parking entrance"]
    /// Visits per hour across all stores at the busiest hour of the week.
    public var visitsPerHour = 900.0
    public var dailyCurve = DailyCurve.retail

    // Targets.
    /// Share of visits that purchase (in-store conversion).
    public var purchaseRate = 0.30
    /// Median time in the store, all visits, in minutes.
    public var dwellMedianMinutes = 22.0
    /// Visits per visitor who comes in a week (mean over the visitors of each week). Sets how many
    /// people visit, unless `visitors` gives it.
    public var visitsPerVisitorPerWeek = 1.6
    /// Share of visitors who are loyalty members.
    public var loyaltyRate = 0.3
    /// Nobody visits more often than this in one local day.
    public var maxVisitsPerDay = 2

    // Other knobs.
    /// People in the stores' country who may visit (nil: derived from `visitsPerVisitorPerWeek`).
    public var visitors: Int? = nil
    /// Spread of personal visit rates (sigma of a log-normal) and its bound, in multiples of the median.
    public var activitySigma = 0.9
    public var activityCeiling = 8.0
    /// Probability that a visitor goes to their home store when it is open.
    public var homeStoreProbability = 0.85
    public var sameExitProbability = 0.85
    /// Share of visitors who mostly shop on weekdays (tag `weekday shopper` on their weekday visits;
    /// the others are weekend shoppers), and how much less each shops on their off days.
    public var weekdayShopperRate = 0.6
    public var offDayActivity = 0.4
    /// Loyalty members buy this many times as often as others (the overall rate stays the target).
    public var loyaltyPurchaseUplift = 1.4
    /// Purchasing visits last this many times as long as browsing ones (log-normal, this sigma).
    public var purchaseDwellRatio = 2.5
    public var dwellSigma = 0.55

    public init() {}

    /// Reads the `store_visits` object of a scenario; `share` is read by the caller.
    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        stores = try reader.int("stores", default: stores, in: 1...100_000)
        let shares = try reader.doubles("store_shares", default: [], count: stores...stores)
        storeShares = shares.isEmpty ? nil : shares
        countries = try reader.weights("countries", default: countries)
        country = try reader.string("country", default: countries.contains { $0.0 == country } ? country : countries[0].0)
        guard countries.contains(where: { $0.0 == country && $0.1 > 0 }) else {
            throw .invalidValue(path: reader.childPath("country"), expected: "one of the countries with a share > 0 (\(countries.map(\.0).joined(separator: ", ")))", found: "\"\(country)\"")
        }
        let offset = try reader.double("utc_offset", default: .nan, in: -14...14)
        utcOffsetHours = offset.isNaN ? nil : offset
        weekdayHours = try reader.hourRanges("weekday_hours", default: weekdayHours)
        weekendHours = try reader.hourRanges("weekend_hours", default: weekendHours)
        entryPoints = try reader.strings("entry_points", default: entryPoints)
        visitsPerHour = try reader.double("visits_per_hour", default: visitsPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        purchaseRate = try reader.probability("purchase_rate", default: purchaseRate)
        dwellMedianMinutes = try reader.double("dwell_median_minutes", default: dwellMedianMinutes, in: 1...1440)
        visitsPerVisitorPerWeek = try reader.double("visits_per_visitor_per_week", default: visitsPerVisitorPerWeek, in: 1...50)
        loyaltyRate = try reader.probability("loyalty_rate", default: loyaltyRate)
        maxVisitsPerDay = try reader.int("max_visits_per_day", default: maxVisitsPerDay, in: 1...100)
        let visitors = try reader.int("visitors", default: 0, in: 0...100_000_000)
        self.visitors = visitors > 0 ? visitors : nil
        activitySigma = try reader.double("activity_sigma", default: activitySigma, in: 0...3)
        activityCeiling = try reader.double("activity_ceiling", default: activityCeiling, in: 1...1000)
        homeStoreProbability = try reader.probability("home_store_probability", default: homeStoreProbability)
        sameExitProbability = try reader.probability("same_exit_probability", default: sameExitProbability)
        weekdayShopperRate = try reader.probability("weekday_shopper_rate", default: weekdayShopperRate)
        offDayActivity = try reader.double("off_day_activity", default: offDayActivity, in: 0...1)
        loyaltyPurchaseUplift = try reader.double("loyalty_purchase_uplift", default: loyaltyPurchaseUplift, in: 0...10)
        purchaseDwellRatio = try reader.double("purchase_dwell_ratio", default: purchaseDwellRatio, in: 0.1...100)
        dwellSigma = try reader.double("dwell_sigma", default: dwellSigma, in: 0...3)
    }

    /// The stores' local time's offset from UTC, in hours.
    public var storeUTCOffset: Double { utcOffsetHours ?? Countries.offset(country) }

    /// The purchase probability of a visit by a member and by anyone else, so that visits purchase
    /// at `purchaseRate` overall (members make `loyaltyRate` of visits: rates are independent of it).
    var purchaseProbabilities: (member: Double, other: Double) {
        let other = purchaseRate / (1 - loyaltyRate + loyaltyRate * loyaltyPurchaseUplift)
        return (min(1, other * loyaltyPurchaseUplift), min(1, other))
    }

    /// The median dwell of a browsing visit (seconds) that makes the median of all visits
    /// `dwellMedianMinutes`: purchasing visits (`purchaseRate` of them) last `purchaseDwellRatio`
    /// times as long, both log-normal with `dwellSigma`. Bisection on the mixture's CDF at the target.
    var browsingDwellMedianSeconds: Double {
        let target = dwellMedianMinutes * 60
        guard dwellSigma > 0 else { return purchaseRate < 0.5 ? target : target / purchaseDwellRatio }
        func below(_ median: Double) -> Double {
            (1 - purchaseRate) * Distribution.standardNormalCDF(log(target / median) / dwellSigma)
                + purchaseRate * Distribution.standardNormalCDF(log(target / (median * purchaseDwellRatio)) / dwellSigma)
        }
        var low = 1.0, high = 86_400.0
        for _ in 0..<100 {
            let mid = (low * high).squareRoot()
            if below(mid) > 0.5 { low = mid } else { high = mid }
        }
        return (low * high).squareRoot()
    }

    public var declaredTargets: DomainTargets {
        var targets: [DomainTargets.Target] = [
            .init("purchase_rate", purchaseRate, meaning: "visits tagged purchasing ÷ visits"),
            .init("dwell_median_minutes", dwellMedianMinutes, meaning: "median dwell time of a visit, minutes"),
            .init("loyalty_member_share", loyaltyRate, meaning: "visitors who are loyalty members ÷ visitors"),
        ]
        // With "visitors" given, how often each comes follows from it: not a target.
        if visitors == nil {
            targets.append(.init("visits_per_visitor_per_week", visitsPerVisitorPerWeek, meaning: "visits ÷ distinct visitors, per week"))
        }
        return DomainTargets(datasource: FootTrafficModel.datasource, targets: targets, maxPerDay: maxVisitsPerDay, storeUTCOffset: storeUTCOffset)
    }
}

import Foundation
