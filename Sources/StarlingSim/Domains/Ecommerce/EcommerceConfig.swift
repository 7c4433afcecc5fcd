/// The knobs of the e-commerce model, with realistic defaults.
public struct EcommerceConfig: Sendable {
    public struct Category: Equatable, Sendable {
        public var name: String
        public var weight: Double
        /// Prices in the category are log-normal around this median.
        public var medianPrice: Double
        public var priceSigma: Double
    }

    public var users = 50_000
    /// Power law of activity: a few users shop a lot.
    public var userZipf = 0.8
    public var products = 2_000
    /// Power law of product popularity.
    public var productZipf = 1.1
    public var categories: [Category] = [
        Category(name: "Electronics", weight: 0.18, medianPrice: 120, priceSigma: 0.8),
        Category(name: "Books", weight: 0.16, medianPrice: 15, priceSigma: 0.45),
        Category(name: "Clothing", weight: 0.20, medianPrice: 35, priceSigma: 0.6),
        Category(name: "Home & Kitchen", weight: 0.14, medianPrice: 45, priceSigma: 0.7),
        Category(name: "Sports", weight: 0.10, medianPrice: 40, priceSigma: 0.7),
        Category(name: "Beauty", weight: 0.10, medianPrice: 22, priceSigma: 0.5),
        Category(name: "Toys", weight: 0.07, medianPrice: 25, priceSigma: 0.6),
        Category(name: "Grocery", weight: 0.05, medianPrice: 8, priceSigma: 0.5),
    ]
    /// Where users live; each user has one country for life.
    public var countries: [(String, Double)] = [
        ("US", 0.32), ("UK", 0.12), ("Germany", 0.10), ("France", 0.08), ("Canada", 0.07), ("Spain", 0.06),
        ("India", 0.06), ("Italy", 0.05), ("Brazil", 0.05), ("Japan", 0.04), ("Australia", 0.03), ("Mexico", 0.02),
    ]
    /// Sessions per hour at the busiest hour.
    public var sessionsPerHour = 2_400.0
    public var dailyCurve = DailyCurve.online
    /// Funnel: product views per session (mean, geometric), then per view the chance of adding it to
    /// the cart, per cart line the chance of removing it, and per non-empty cart the chance of buying.
    public var viewsPerSession = 4.5
    public var addToCartRate = 0.28
    public var removeFromCartRate = 0.18
    public var purchaseRate = 0.55
    /// Mean seconds between a session's events.
    public var eventGapSeconds = 40.0
    /// Relative frequency of quantities 1, 2, 3, …
    public var quantityWeights = [0.70, 0.18, 0.07, 0.03, 0.02]

    public init() {}

    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        users = try reader.int("users", default: users, in: 1...100_000_000)
        userZipf = try reader.double("user_zipf", default: userZipf, in: 0...5)
        products = try reader.int("products", default: products, in: 1...10_000_000)
        productZipf = try reader.double("product_zipf", default: productZipf, in: 0...5)
        if var object = try reader.object("categories") {
            var parsed: [Category] = []
            for name in object.keys {
                guard let value = object.value(name) else { continue }
                var category = try ObjectReader(value, path: object.childPath(name))
                parsed.append(Category(
                    name: name,
                    weight: try category.double("weight", default: 1, in: 0...1e9),
                    medianPrice: try category.double("median_price", default: 30, in: 0.01...1e7),
                    priceSigma: try category.double("price_sigma", default: 0.6, in: 0...3)))
                try category.finish()
            }
            guard parsed.contains(where: { $0.weight > 0 }) else {
                throw .invalidValue(path: object.path, expected: "at least one category with weight > 0", found: "none")
            }
            categories = parsed
        }
        countries = try reader.weights("countries", default: countries)
        sessionsPerHour = try reader.double("sessions_per_hour", default: sessionsPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        viewsPerSession = try reader.double("views_per_session", default: viewsPerSession, in: 1...1000)
        addToCartRate = try reader.probability("add_to_cart_rate", default: addToCartRate)
        removeFromCartRate = try reader.probability("remove_from_cart_rate", default: removeFromCartRate)
        purchaseRate = try reader.probability("purchase_rate", default: purchaseRate)
        eventGapSeconds = try reader.double("event_gap_seconds", default: eventGapSeconds, in: 0...86_400)
        quantityWeights = try reader.doubles("quantity_weights", default: quantityWeights, count: 1...100)
        guard quantityWeights.contains(where: { $0 > 0 }) else {
            throw .invalidValue(path: reader.childPath("quantity_weights"), expected: "at least one weight > 0", found: "all 0")
        }
    }
}

extension EcommerceConfig {
    public var expectations: Expectations {
        Expectations(datasource: EcommerceModel.datasource, targets: [
            .init("conversion_rate", 0.025, meaning: "sessions with a purchase ÷ sessions"),
        ], maxPerDay: 6, utcOffsets: ["US": -5])
    }
}
