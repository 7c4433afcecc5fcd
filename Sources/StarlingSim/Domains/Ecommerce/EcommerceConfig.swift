import Foundation

/// The knobs of the e-commerce model. Its behavioural targets are declared here with defaults from
/// published figures (docs/realism.md) and the model's parameters are derived from them: a scenario
/// that writes `"conversion_rate": 0.02` gets 2% of sessions purchasing.
public struct EcommerceConfig: Sendable {
    public typealias Category = Catalogue.Category

    /// Users who shop (nil: derived from `sessionsPerUserPerWeek`).
    public var users: Int? = nil
    /// The catalogue (shared with customer journeys: keep them equal in one scenario).
    public var products = Catalogue.defaultProducts
    /// Power law of product popularity by rank (ranks are independent of ids).
    public var productZipf = Catalogue.defaultPopularityExponent
    public var categories = Catalogue.defaultCategories
    /// Where users live; each user has one country for life, and shops in its local time.
    public var countries = Countries.defaultShares
    /// Sessions per hour at the busiest hour of the week.
    public var sessionsPerHour = 2_400.0
    public var dailyCurve = DailyCurve.online

    // Targets (per session).
    /// Sessions with a purchase ÷ sessions.
    public var conversionRate = 0.02
    /// Sessions with an add to cart ÷ sessions. Cart abandonment is 1 − conversion ÷ this.
    public var addToCartRate = 0.065
    /// Sessions of a single event ÷ sessions.
    public var bounceRate = 0.45
    /// Product views per session (mean).
    public var viewsPerSession = 4.0
    /// Sessions per user who comes in a week. Sets how many users there are, unless `users` gives it.
    public var sessionsPerUserPerWeek = 1.4
    /// Nobody starts more sessions than this in one local day.
    public var maxSessionsPerDay = 6

    // Other knobs.
    public var activitySigma = 1.0
    public var activityCeiling = 10.0
    /// Per cart line beyond the first, the chance of removing it (the first too when not buying).
    public var removeFromCartRate = 0.15
    /// Mean cart lines of a session that adds to cart.
    public var linesPerCart = 1.5
    /// Mean seconds between a session's events.
    public var eventGapSeconds = 40.0
    /// Relative frequency of quantities 1, 2, 3, …
    public var quantityWeights = [0.70, 0.18, 0.07, 0.03, 0.02]

    /// Also the customer journeys' visits (`"journey_visits": true`): set by the scenario to its
    /// `customer_touchpoints` configuration (see `JourneyVisits`).
    public var journeyVisits: JourneyConfig? = nil
    var wantsJourneyVisits = false

    public init() {}

    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        let users = try reader.int("users", default: 0, in: 0...100_000_000)
        self.users = users > 0 ? users : nil
        products = try reader.int("products", default: products, in: 1...10_000_000)
        productZipf = try reader.double("product_zipf", default: productZipf, in: 0...5)
        categories = try Catalogue.readCategories(&reader, default: categories)
        countries = try reader.weights("countries", default: countries)
        sessionsPerHour = try reader.double("sessions_per_hour", default: sessionsPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)

        conversionRate = try reader.double("conversion_rate", default: conversionRate, in: 0...0.5)
        let abandonment = try reader.double("cart_abandonment", default: .nan, in: 0...0.99)
        let givenCart = reader.peek("add_to_cart_rate") != nil
        addToCartRate = try reader.double("add_to_cart_rate", default: addToCartRate, in: 0...1)
        if !abandonment.isNaN {
            let derived = conversionRate / (1 - abandonment)
            if givenCart, abs(derived - addToCartRate) > 0.005 {
                throw .invalidValue(path: reader.childPath("cart_abandonment"), expected: "1 − conversion_rate ÷ add_to_cart_rate = \((1 - conversionRate / addToCartRate).formatted(.number.precision(.fractionLength(3)))) (give two of the three)", found: "\(abandonment)")
            }
            addToCartRate = derived
        }
        bounceRate = try reader.double("bounce_rate", default: bounceRate, in: 0...0.95)
        guard conversionRate <= addToCartRate, addToCartRate <= 1 - bounceRate else {
            throw .invalidValue(path: reader.childPath("add_to_cart_rate"), expected: "conversion_rate ≤ add_to_cart_rate ≤ 1 − bounce_rate (a purchase needs a cart; a bounced session has one event)", found: "\(addToCartRate)")
        }
        viewsPerSession = try reader.double("views_per_session", default: viewsPerSession, in: 1...1000)
        sessionsPerUserPerWeek = try reader.double("sessions_per_user_per_week", default: sessionsPerUserPerWeek, in: 1...100)
        maxSessionsPerDay = try reader.int("max_sessions_per_day", default: maxSessionsPerDay, in: 1...1000)
        activitySigma = try reader.double("activity_sigma", default: activitySigma, in: 0...3)
        activityCeiling = try reader.double("activity_ceiling", default: activityCeiling, in: 1...1000)
        removeFromCartRate = try reader.probability("remove_from_cart_rate", default: removeFromCartRate)
        linesPerCart = try reader.double("lines_per_cart", default: linesPerCart, in: 1...100)
        eventGapSeconds = try reader.double("event_gap_seconds", default: eventGapSeconds, in: 0...86_400)
        wantsJourneyVisits = try reader.bool("journey_visits", default: false)
        quantityWeights = try reader.doubles("quantity_weights", default: quantityWeights, count: 1...100)
        guard quantityWeights.contains(where: { $0 > 0 }) else {
            throw .invalidValue(path: reader.childPath("quantity_weights"), expected: "at least one weight > 0", found: "all 0")
        }
    }

    public var cartAbandonment: Double { addToCartRate > 0 ? 1 - conversionRate / addToCartRate : 0 }

    /// The share of sessions starting 00:00–06:00 local time the daily curve implies (every
    /// country follows it in its own time).
    public var nightShare: Double {
        var night = 0.0, all = 0.0
        for minute in 0..<(7 * 1440) {
            let value = dailyCurve.intensity(secondOfWeek: minute * 60 + 30)
            all += value
            if minute % 1440 < 360 { night += value }
        }
        return all > 0 ? night / all : 0
    }

    public var declaredTargets: DomainTargets {
        var targets: [DomainTargets.Target] = [
            .init("conversion_rate", conversionRate, meaning: "sessions with a purchase ÷ sessions"),
            .init("add_to_cart_rate", addToCartRate, meaning: "sessions with an add_to_cart ÷ sessions"),
            .init("cart_abandonment", cartAbandonment, tolerance: 0.05, meaning: "1 − purchasing sessions ÷ sessions with an add_to_cart"),
            .init("bounce_rate", bounceRate, meaning: "single-event sessions ÷ sessions"),
            .init("views_per_session", viewsPerSession, meaning: "product views ÷ sessions"),
            .init("night_share", nightShare, tolerance: 0.15, meaning: "sessions starting 00:00–06:00 local time ÷ sessions"),
        ]
        if users == nil {
            targets.append(.init("sessions_per_user_per_week", sessionsPerUserPerWeek, meaning: "sessions ÷ distinct users, per week"))
        }
        if let journeys = journeyVisits {
            // The sessions mix the shop's own and the journeys' visits: only what both declare alike
            // is a target of the mix (a visit's views and bounces follow the journeys' model).
            targets = targets.filter { target in
                switch target.name {
                case "conversion_rate": return abs(journeys.sessionConversionRate - conversionRate) < 1e-9
                case "night_share": return journeys.dailyCurve == dailyCurve
                default: return false
                }
            }
        }
        return DomainTargets(datasource: EcommerceModel.datasource, targets: targets, maxPerDay: maxSessionsPerDay,
                            utcOffsets: Dictionary(countries.map { ($0.0, Countries.offset($0.0)) }, uniquingKeysWith: { a, _ in a }))
    }
}
