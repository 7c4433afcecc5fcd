import Foundation

/// The people behind every stream of a scenario. Person `n` (0-based) is `visitor_<n+1>` in
/// store_visits, `user_<n+1>` in ecommerce_events and `cust_<n+1>` in customer_touchpoints, and their
/// traits are drawn once from their own random stream, keyed by the scenario's seed (not by the
/// datasource's): so the three streams of one scenario agree on where each person lives, which device
/// they use, whether they are a loyalty member, when in the week they shop and how often.
///
/// Each trait reads its own uniform draw, so a domain that needs only some of them (or configures a
/// table differently) does not shift the others.
public struct PersonDraws {
    public let country: Double
    public let device: Double
    public let appUser: Double
    public let loyalty: Double
    public let habit: Double
    /// A standard normal: the person's activity on a log scale.
    public let activity: Double
    public let homeStore: Double
    public let primaryRate: Double

    public init(person: Int, populationSeed: UInt64) {
        var rng = Xoshiro256(seed: populationSeed, stream: StreamTag("person"), index: UInt64(person))
        country = rng.unit()
        device = rng.unit()
        appUser = rng.unit()
        loyalty = rng.unit()
        habit = rng.unit()
        activity = Distribution.normal(using: &rng)
        homeStore = rng.unit()
        primaryRate = rng.unit()
    }

    /// The seed of a scenario's population: one for all its datasources.
    public static func populationSeed(scenarioSeed: UInt64) -> UInt64 {
        SplitMix64.mix(scenarioSeed ^ StreamTag(name: "population").rawValue)
    }
}

/// Inverse-CDF choice by weights from one uniform draw (the same draw always gives the same choice
/// for the same weights, whichever domain asks).
public struct CumulativeChoice: Sendable {
    let bounds: [Double]

    public init(weights: [Double]) {
        let total = weights.reduce(0, +)
        var sum = 0.0
        bounds = weights.map { sum += total > 0 ? $0 / total : 1 / Double(max(weights.count, 1)); return sum }
    }

    public func choose(_ u: Double) -> Int {
        for (i, bound) in bounds.enumerated() where u < bound { return i }
        return max(bounds.count - 1, 0)
    }
}

/// Where people live: countries with their share of people and their local time's offset from UTC.
public enum Countries {
    /// Hours from UTC (standard time in May for the northern hemisphere's summer time: the default
    /// scenarios start in May): local time is what a person's day follows.
    public static let utcOffsets: [String: Double] = [
        "US": -5, "UK": 1, "Germany": 2, "France": 2, "Canada": -5, "Spain": 2, "India": 5.5, "Italy": 2,
        "Brazil": -3, "Japan": 9, "Australia": 10, "Mexico": -6, "Netherlands": 2, "Poland": 2, "Sweden": 2,
        "China": 8, "South Korea": 9, "Singapore": 8, "Argentina": -3, "Chile": -4, "Colombia": -5,
        "South Africa": 2, "Nigeria": 1, "Egypt": 3, "Turkey": 3, "Indonesia": 7, "Philippines": 8,
        "New Zealand": 12, "Ireland": 1, "Portugal": 1, "Belgium": 2, "Switzerland": 2, "Austria": 2,
        "Norway": 2, "Denmark": 2, "Finland": 3, "Greece": 3, "Israel": 3, "UAE": 4, "Saudi Arabia": 3,
        // Small countries and territories (ci-smoke's long tail of rare countries).
        "Iceland": 0, "Malta": 2, "Luxembourg": 2, "Estonia": 3, "Cyprus": 3, "Latvia": 3, "Slovenia": 2, "Monaco": 2,
        "Andorra": 2, "Liechtenstein": 2, "San Marino": 2, "Faroe Islands": 1, "Greenland": -2, "Gibraltar": 2, "Jersey": 1,
        "Guernsey": 1, "Isle of Man": 1, "Aland Islands": 3, "Svalbard": 2, "Bermuda": -3, "Aruba": -4, "Curacao": -4,
    ]

    /// The default population's countries and shares.
    public static let defaultShares: [(String, Double)] = [
        ("US", 0.32), ("UK", 0.12), ("Germany", 0.10), ("France", 0.08), ("Canada", 0.07), ("Spain", 0.06),
        ("India", 0.06), ("Italy", 0.05), ("Brazil", 0.05), ("Japan", 0.04), ("Australia", 0.03), ("Mexico", 0.02),
    ]

    /// A country's offset in hours (0 for a name this table does not know).
    public static func offset(_ country: String) -> Double { utcOffsets[country] ?? 0 }
}
