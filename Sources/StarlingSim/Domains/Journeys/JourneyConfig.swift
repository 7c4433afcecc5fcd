import Foundation
import StarlingJSON

/// The knobs of the customer-journey model. Its behavioural targets — click-through per ad channel,
/// email click-to-open, device mix, on-site conversion and how much better desktop converts than
/// mobile — are declared here with defaults from published figures (docs/realism.md), and the
/// model's probabilities are derived from them.
public struct JourneyConfig: Sendable {
    /// A marketing campaign: which channels it runs on, when (nil: always), its relative weight
    /// among the campaigns running on a channel, and its click-through relative to the channel's
    /// (the channel's rate stays the declared one on average).
    public struct Campaign: Sendable, Equatable {
        public var name: String
        public var weight: Double
        public var channels: [String]
        /// Unix seconds `[start, end)` it runs.
        public var season: Range<Int64>?
        public var ctrLift: Double

        public init(name: String, weight: Double, channels: [String], season: Range<Int64>? = nil, ctrLift: Double = 1) {
            self.name = name
            self.weight = weight
            self.channels = channels
            self.season = season
            self.ctrLift = ctrLift
        }

        func runs(at t: Int64) -> Bool { season?.contains(t) ?? true }
    }

    /// Customers (nil: derived from `journeysPerCustomerPerWeek`).
    public var customers: Int? = nil
    /// Where customers live (for their local time; shared with the other domains: keep them equal).
    public var countries = Countries.defaultShares
    public var journeysPerHour = 500.0
    public var dailyCurve = DailyCurve.online
    /// How journeys begin: an ad impression, a social post, an email, a search, or a visit straight
    /// to the site (`page_view`, from `siteOrigins`).
    public var startWeights: [(String, Double)] = [
        ("ad_impression", 0.50), ("search", 0.12), ("social_engagement", 0.10), ("email_open", 0.16), ("page_view", 0.12),
    ]
    /// The paid channels an ad is shown on, and how journeys that begin with an ad spread over them.
    public var adChannels: [(String, Double)] = [("display", 0.55), ("social", 0.30), ("search", 0.15)]
    /// Where a session that begins on the site came from.
    public var siteOrigins: [(String, Double)] = [("direct", 0.6), ("referral", 0.2), ("affiliate", 0.2)]
    /// Where a returning session (after a visit that did not buy) came from: `email` is a cart
    /// reminder after an abandoned cart (else the newsletter), `ad` a retargeting ad.
    public var returnOrigins: [(String, Double)] = [("direct", 0.45), ("search", 0.15), ("email", 0.15), ("ad", 0.15), ("referral", 0.05), ("affiliate", 0.05)]
    /// Share of mobile and tablet customers who use the app (on those devices) rather than the website.
    public var appUserRate = 0.4
    /// Share of sessions on the customer's primary device (the rest on another one).
    public var primaryDeviceRate = 0.85
    public var campaigns: [Campaign] = JourneyConfig.defaultCampaigns
    /// The catalogue (shared with e-commerce: keep them equal in one scenario).
    public var products = Catalogue.defaultProducts
    public var productZipf = Catalogue.defaultPopularityExponent
    public var categories = Catalogue.defaultCategories

    // Targets.
    /// ad_click ÷ ad_impression per ad channel.
    public var clickThroughRates: [(String, Double)] = [("display", 0.002), ("search", 0.06), ("social", 0.009)]
    /// email_click ÷ email_open.
    public var emailClickToOpen = 0.10
    /// Sessions per device (a customer's primary device is drawn from it).
    public var devices: [(String, Double)] = [("mobile", 0.72), ("desktop", 0.25), ("tablet", 0.03)]
    /// On-site sessions (a page or product view) that purchase ÷ on-site sessions.
    public var sessionConversionRate = 0.02
    /// Desktop sessions convert this many times as often as mobile ones (tablets halfway).
    public var desktopMobileConversionRatio = 2.0
    /// Journeys per customer who starts one in a week. Sets how many customers there are, unless
    /// `customers` gives it.
    public var journeysPerCustomerPerWeek = 2.0
    /// Nobody starts more journeys than this in one local day.
    public var maxJourneysPerDay = 3

    // Other knobs.
    public var activitySigma = 0.9
    public var activityCeiling = 8.0
    /// Mean ad impressions and emails of a series that is not clicked (frequency), and the mean
    /// hours between two impressions of a series.
    public var impressionsPerSeries = 3.0
    public var emailsPerSeries = 2.0
    public var impressionGapHours = 8.0
    /// A social post or an organic search result leads to a visit this often.
    public var socialClickRate = 0.06
    public var searchClickRate = 0.45
    /// On site: mean product views, the chance of a support chat, of a checkout after an add to
    /// cart and of a purchase after a checkout (the add to cart rate follows from the conversion).
    public var productViewsPerSession = 2.5
    public var supportChatRate = 0.03
    public var checkoutRate = 0.6
    public var checkoutCompletionRate = 0.7
    /// Share of completed checkouts done in one click (saved details): no time on the checkout, the
    /// purchase in the same second.
    public var expressCheckoutRate = 0.05
    /// After a visit that does not buy, the chance of coming back, and the gap until then.
    public var returnRate = 0.3
    public var sessionGapMedianHours = 20.0
    public var sessionGapSigma = 1.0
    /// Mean seconds between a touchpoint's end and the next one in the same session.
    public var inSessionGapSeconds = 15.0
    /// Touchpoints per journey at most.
    public var maxTouchpoints = 40

    public init() {}

    public static let defaultCampaigns: [Campaign] = {
        func day(_ text: String) -> Int64 { CivilTime(parsing: text)?.epochSeconds ?? 0 }
        return [
            Campaign(name: "spring_launch_2025", weight: 0.25, channels: ["display", "social", "search"], season: day("2025-03-20")..<day("2025-06-21"), ctrLift: 1.2),
            Campaign(name: "mothers_day_2025", weight: 0.2, channels: ["display", "social", "email"], season: day("2025-04-20")..<day("2025-05-12")),
            Campaign(name: "summer_sale_2025", weight: 0.3, channels: ["display", "social", "search", "email"], season: day("2025-06-21")..<day("2025-09-01"), ctrLift: 1.3),
            Campaign(name: "black_friday_2025", weight: 0.4, channels: ["display", "social", "search", "email"], season: day("2025-11-24")..<day("2025-12-02"), ctrLift: 1.6),
            Campaign(name: "retargeting_q2", weight: 0.15, channels: ["display", "social"], season: day("2025-04-01")..<day("2025-07-01"), ctrLift: 1.8),
            Campaign(name: "brand_awareness", weight: 0.2, channels: ["display", "social"], ctrLift: 0.6),
            Campaign(name: "search_brand_terms", weight: 0.25, channels: ["search"], ctrLift: 1.5),
            Campaign(name: "newsletter_weekly", weight: 0.6, channels: ["email"]),
            Campaign(name: "cart_reminder", weight: 0, channels: ["email"]),
        ]
    }()

    /// The campaign sent after an abandoned cart.
    public static let cartReminder = "cart_reminder"

    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        let customers = try reader.int("customers", default: 0, in: 0...100_000_000)
        self.customers = customers > 0 ? customers : nil
        countries = try reader.weights("countries", default: countries)
        journeysPerHour = try reader.double("journeys_per_hour", default: journeysPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        startWeights = try reader.weights("start", default: startWeights)
        try Self.checkNames(startWeights.map(\.0), allowed: ["ad_impression", "social_engagement", "email_open", "search", "page_view"], path: reader.childPath("start"))
        adChannels = try reader.weights("ad_channels", default: adChannels)
        siteOrigins = try reader.weights("site_origins", default: siteOrigins)
        try Self.checkNames(siteOrigins.map(\.0), allowed: ["direct", "referral", "affiliate"], path: reader.childPath("site_origins"))
        returnOrigins = try reader.weights("return_origins", default: returnOrigins)
        try Self.checkNames(returnOrigins.map(\.0), allowed: ["direct", "search", "email", "ad", "referral", "affiliate"], path: reader.childPath("return_origins"))
        devices = try reader.weights("devices", default: devices)
        appUserRate = try reader.probability("app_user_rate", default: appUserRate)
        primaryDeviceRate = try reader.probability("primary_device_rate", default: primaryDeviceRate)
        campaigns = try Self.readCampaigns(&reader, adChannels: adChannels.map(\.0), default: campaigns)
        products = try reader.int("products", default: products, in: 1...10_000_000)
        productZipf = try reader.double("product_zipf", default: productZipf, in: 0...5)
        categories = try Catalogue.readCategories(&reader, default: categories)

        let ctr = try reader.weights("click_through_rates", default: [])
        for (channel, rate) in ctr {
            guard rate <= 1 else { throw .invalidValue(path: "\(reader.childPath("click_through_rates")).\(channel)", expected: "a rate in 0…1", found: "\(rate)") }
            clickThroughRates.removeAll { $0.0 == channel }
            clickThroughRates.append((channel, rate))
        }
        emailClickToOpen = try reader.probability("email_click_to_open", default: emailClickToOpen)
        sessionConversionRate = try reader.double("session_conversion_rate", default: sessionConversionRate, in: 0...0.5)
        desktopMobileConversionRatio = try reader.double("desktop_mobile_conversion_ratio", default: desktopMobileConversionRatio, in: 0.1...10)
        journeysPerCustomerPerWeek = try reader.double("journeys_per_customer_per_week", default: journeysPerCustomerPerWeek, in: 1...100)
        maxJourneysPerDay = try reader.int("max_journeys_per_day", default: maxJourneysPerDay, in: 1...1000)
        activitySigma = try reader.double("activity_sigma", default: activitySigma, in: 0...3)
        activityCeiling = try reader.double("activity_ceiling", default: activityCeiling, in: 1...1000)
        impressionsPerSeries = try reader.double("impressions_per_series", default: impressionsPerSeries, in: 1...100)
        emailsPerSeries = try reader.double("emails_per_series", default: emailsPerSeries, in: 1...100)
        impressionGapHours = try reader.double("impression_gap_hours", default: impressionGapHours, in: 0.01...720)
        socialClickRate = try reader.probability("social_click_rate", default: socialClickRate)
        searchClickRate = try reader.probability("search_click_rate", default: searchClickRate)
        productViewsPerSession = try reader.double("product_views_per_session", default: productViewsPerSession, in: 1...100)
        supportChatRate = try reader.probability("support_chat_rate", default: supportChatRate)
        checkoutRate = try reader.double("checkout_rate", default: checkoutRate, in: 0.01...1)
        checkoutCompletionRate = try reader.double("checkout_completion_rate", default: checkoutCompletionRate, in: 0.01...1)
        expressCheckoutRate = try reader.probability("express_checkout_rate", default: expressCheckoutRate)
        returnRate = try reader.probability("return_rate", default: returnRate)
        sessionGapMedianHours = try reader.double("session_gap_median_hours", default: sessionGapMedianHours, in: 0.5...8760)
        sessionGapSigma = try reader.double("session_gap_sigma", default: sessionGapSigma, in: 0...3)
        inSessionGapSeconds = try reader.double("in_session_gap_seconds", default: inSessionGapSeconds, in: 0...86_400)
        maxTouchpoints = try reader.int("max_touchpoints", default: maxTouchpoints, in: 1...4_000)
        // A touchpoint holds its channel, device and campaign in a byte or two (`TouchpointRecord`).
        for (key, count, limit) in [("ad_channels", adChannels.count, 200), ("devices", devices.count, 255), ("campaigns", campaigns.count, 65_000)] where count > limit {
            throw .invalidValue(path: reader.childPath(key), expected: "at most \(limit) names", found: "\(count)")
        }
        guard conversionByDevice.values.allSatisfy({ $0 <= checkoutRate * checkoutCompletionRate }) else {
            throw .invalidValue(path: reader.childPath("session_conversion_rate"), expected: "a rate each device can reach: ≤ checkout_rate × checkout_completion_rate = \(checkoutRate * checkoutCompletionRate) on desktop", found: "\(sessionConversionRate)")
        }
    }

    /// `"campaigns"`: name → a weight (runs always on every ad channel) or an object
    /// `{"weight", "channels", "start", "end", "ctr_lift"}` (dates `YYYY-MM-DD`, `end` exclusive).
    static func readCampaigns(_ reader: inout ObjectReader, adChannels: [String], default fallback: [Campaign]) throws(ScenarioError) -> [Campaign] {
        guard var object = try reader.object("campaigns") else { return fallback }
        var campaigns: [Campaign] = []
        for name in object.keys {
            guard let value = object.value(name) else { continue }
            let path = object.childPath(name)
            if let weight = value.number {
                guard weight >= 0 else { throw .invalidValue(path: path, expected: "a weight ≥ 0 or an object", found: value.summary) }
                campaigns.append(Campaign(name: name, weight: weight, channels: adChannels))
                continue
            }
            var campaign = try ObjectReader(value, path: path)
            let weight = try campaign.double("weight", default: 1, in: 0...1e9)
            let channels = try campaign.strings("channels", default: adChannels)
            func date(_ key: String) throws(ScenarioError) -> Int64? {
                guard let text = try campaign.optionalString(key) else { return nil }
                guard let day = CivilTime(parsing: text) else {
                    throw .invalidValue(path: campaign.childPath(key), expected: "a date YYYY-MM-DD", found: "\"\(text)\"")
                }
                return day.epochSeconds
            }
            let start = try date("start"), end = try date("end")
            if let start, let end, end <= start {
                throw .invalidValue(path: campaign.childPath("end"), expected: "a date after start", found: "before it")
            }
            let season: Range<Int64>? = start == nil && end == nil ? nil : (start ?? .min)..<(end ?? .max)
            let lift = try campaign.double("ctr_lift", default: 1, in: 0.01...100)
            try campaign.finish()
            campaigns.append(Campaign(name: name, weight: weight, channels: channels, season: season, ctrLift: lift))
        }
        try object.finish()
        if !campaigns.contains(where: { $0.name == cartReminder }) {
            campaigns.append(Campaign(name: cartReminder, weight: 0, channels: ["email"]))
        }
        return campaigns
    }

    static func checkNames(_ names: [String], allowed: [String], path: String) throws(ScenarioError) {
        for name in names where !allowed.contains(name) {
            throw .invalidValue(path: "\(path).\(name)", expected: "one of \(allowed.joined(separator: ", "))", found: "\"\(name)\"")
        }
    }

    /// The declared click-through rate of an ad channel (a channel not listed: the display rate).
    public func clickThroughRate(_ channel: String) -> Double {
        clickThroughRates.first { $0.0 == channel }?.1 ?? clickThroughRates.first { $0.0 == "display" }?.1 ?? 0.002
    }

    /// Each device's on-site session conversion: desktop `desktopMobileConversionRatio` times
    /// mobile, tablet (and any other device) halfway, weighted by the device mix to the declared
    /// overall rate.
    public var conversionByDevice: [String: Double] {
        let ratio = desktopMobileConversionRatio
        func relative(_ device: String) -> Double { device == "desktop" ? ratio : device == "mobile" ? 1 : (1 + ratio) / 2 }
        let total = devices.map(\.1).reduce(0, +)
        let mean = devices.reduce(0.0) { $0 + $1.1 / max(total, .leastNonzeroMagnitude) * relative($1.0) }
        return Dictionary(devices.map { ($0.0, sessionConversionRate * relative($0.0) / max(mean, .leastNonzeroMagnitude)) }, uniquingKeysWith: { a, _ in a })
    }

    public var declaredTargets: DomainTargets {
        let total = devices.map(\.1).reduce(0, +)
        var targets: [DomainTargets.Target] = adChannels.map {
            .init("ctr_\($0.0)", clickThroughRate($0.0), meaning: "ad_click ÷ ad_impression on \($0.0)")
        }
        targets.append(.init("email_click_to_open", emailClickToOpen, meaning: "email_click ÷ email_open"))
        targets += devices.map { .init("device_share_\($0.0)", $0.1 / total, meaning: "sessions on \($0.0) ÷ sessions") }
        targets.append(.init("session_conversion_rate", sessionConversionRate, meaning: "on-site sessions with a purchase ÷ on-site sessions"))
        if devices.contains(where: { $0.0 == "desktop" }), devices.contains(where: { $0.0 == "mobile" }) {
            targets.append(.init("desktop_mobile_conversion_ratio", desktopMobileConversionRatio, tolerance: 0.25, meaning: "session conversion on desktop ÷ on mobile"))
        }
        var channels: [String: [String]] = [:], seasons: [String: ClosedRange<Int64>] = [:]
        for campaign in campaigns {
            channels[campaign.name] = campaign.channels
            if let season = campaign.season { seasons[campaign.name] = season.lowerBound...(season.upperBound - 1) }
        }
        return DomainTargets(datasource: JourneyModel.datasource, targets: targets, maxPerDay: maxJourneysPerDay,
                            utcOffsets: Dictionary(countries.map { ($0.0, Countries.offset($0.0)) }, uniquingKeysWith: { a, _ in a }),
                            campaignChannels: channels, campaignSeasons: seasons, referrers: JourneyModel.referrers)
    }
}
