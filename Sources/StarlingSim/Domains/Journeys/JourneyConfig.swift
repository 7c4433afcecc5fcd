/// The knobs of the customer-journey model, with realistic defaults.
public struct JourneyConfig: Sendable {
    public var customers = 20_000
    /// Power law of returning customers (how many journeys each starts).
    public var customerZipf = 0.6
    public var journeysPerHour = 500.0
    public var dailyCurve = DailyCurve.online
    /// How journeys begin (a `page_view` start is a visit that came straight to the site: see
    /// `siteOrigins`).
    public var startWeights: [(String, Double)] = [
        ("ad_impression", 0.30), ("search", 0.22), ("social_engagement", 0.15), ("email_open", 0.13), ("page_view", 0.20),
    ]
    /// The Markov chain: from each touchpoint kind, weights of the next kind and of `drop` (the journey ends).
    public var transitions: [String: [(String, Double)]] = [
        "ad_impression": [("ad_impression", 0.25), ("ad_click", 0.35), ("search", 0.10), ("drop", 0.30)],
        "social_engagement": [("social_engagement", 0.15), ("ad_click", 0.25), ("page_view", 0.25), ("drop", 0.35)],
        "email_open": [("email_click", 0.45), ("email_open", 0.10), ("drop", 0.45)],
        "search": [("page_view", 0.35), ("product_view", 0.35), ("search", 0.10), ("drop", 0.20)],
        "ad_click": [("page_view", 0.35), ("product_view", 0.45), ("drop", 0.20)],
        "email_click": [("product_view", 0.55), ("page_view", 0.25), ("drop", 0.20)],
        "page_view": [("page_view", 0.20), ("product_view", 0.45), ("support_chat", 0.05), ("drop", 0.30)],
        "product_view": [("product_view", 0.30), ("add_to_cart", 0.30), ("page_view", 0.10), ("drop", 0.30)],
        "support_chat": [("product_view", 0.40), ("add_to_cart", 0.20), ("drop", 0.40)],
        "add_to_cart": [("checkout", 0.55), ("product_view", 0.20), ("drop", 0.25)],
        "checkout": [("purchase", 0.75), ("support_chat", 0.05), ("drop", 0.20)],
    ]
    /// Touchpoints per journey at most (a journey that would go on is cut here).
    public var maxTouchpoints = 40
    public var adChannels: [(String, Double)] = [("display", 0.5), ("social", 0.3), ("search", 0.2)]
    /// Where a session that begins on the site (not with an ad, email, social post or search) came
    /// from: `direct` (typed in, a bookmark, the app: channel `website` or `mobile_app`), or a link.
    public var siteOrigins: [(String, Double)] = [("direct", 0.5), ("referral", 0.25), ("affiliate", 0.25)]
    /// Where a returning session (a later session of a journey) that begins on the site came from.
    public var returnOrigins: [(String, Double)] = [("direct", 0.55), ("search", 0.15), ("email", 0.12), ("ad", 0.08), ("referral", 0.05), ("affiliate", 0.05)]
    public var devices: [(String, Double)] = [("desktop", 0.45), ("mobile", 0.45), ("tablet", 0.10)]
    /// Share of mobile and tablet customers who use the app (on those devices) rather than the website.
    public var appUserRate = 0.55
    /// Share of sessions on the customer's primary device (the rest on another one).
    public var primaryDeviceRate = 0.85
    /// Campaigns of journeys that begin with an ad impression or a social post (paid media).
    public var campaigns: [(String, Double)] = [
        ("summer_sale_2025", 0.30), ("black_friday_2025", 0.25), ("spring_launch_2025", 0.18),
        ("retargeting_q2", 0.15), ("brand_awareness", 0.12),
    ]
    /// Campaigns of journeys that begin with an email open: sent, not shown, so they have no ad
    /// impressions (their click-through rate is 0 in `campaign_performance`).
    public var emailCampaigns: [(String, Double)] = [("newsletter_weekly", 0.6), ("cart_reminder", 0.4)]
    public var products = 500
    public var productZipf = 1.0
    public var categories: [(String, Double)] = [
        ("electronics", 0.25), ("apparel", 0.2), ("home", 0.18), ("beauty", 0.12), ("sports", 0.12), ("books", 0.13),
    ]
    /// Order values are log-normal around this median.
    public var orderValueMedian = 85.0
    public var orderValueSigma = 0.7
    /// After each touchpoint, the chance that the next one is in a new session, and the gaps.
    public var newSessionProbability = 0.2
    public var inSessionGapSeconds = 90.0
    public var sessionGapMedianHours = 20.0
    public var sessionGapSigma = 1.0

    public init() {}

    public init(reading reader: inout ObjectReader) throws(ScenarioError) {
        customers = try reader.int("customers", default: customers, in: 1...100_000_000)
        customerZipf = try reader.double("customer_zipf", default: customerZipf, in: 0...5)
        journeysPerHour = try reader.double("journeys_per_hour", default: journeysPerHour, in: 0...1e9)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        startWeights = try reader.weights("start", default: startWeights)
        try Self.checkKinds(startWeights.map(\.0), path: reader.childPath("start"), allowDrop: false)
        if var object = try reader.object("transitions") {
            for kind in object.keys {
                let path = object.childPath(kind)
                try Self.checkKinds([kind], path: object.path, allowDrop: false)
                transitions[kind] = try object.weights(kind, default: [])
                try Self.checkKinds(transitions[kind, default: []].map(\.0), path: path, allowDrop: true)
            }
            try object.finish()
        }
        maxTouchpoints = try reader.int("max_touchpoints", default: maxTouchpoints, in: 1...10_000)
        adChannels = try reader.weights("ad_channels", default: adChannels)
        siteOrigins = try reader.weights("site_origins", default: siteOrigins)
        try Self.checkNames(siteOrigins.map(\.0), allowed: ["direct", "referral", "affiliate"], path: reader.childPath("site_origins"))
        returnOrigins = try reader.weights("return_origins", default: returnOrigins)
        try Self.checkNames(returnOrigins.map(\.0), allowed: ["direct", "search", "email", "ad", "social", "referral", "affiliate"], path: reader.childPath("return_origins"))
        devices = try reader.weights("devices", default: devices)
        appUserRate = try reader.probability("app_user_rate", default: appUserRate)
        primaryDeviceRate = try reader.probability("primary_device_rate", default: primaryDeviceRate)
        campaigns = try reader.weights("campaigns", default: campaigns)
        emailCampaigns = try reader.weights("email_campaigns", default: emailCampaigns)
        products = try reader.int("products", default: products, in: 1...10_000_000)
        productZipf = try reader.double("product_zipf", default: productZipf, in: 0...5)
        categories = try reader.weights("categories", default: categories)
        orderValueMedian = try reader.double("order_value_median", default: orderValueMedian, in: 0.01...1e7)
        orderValueSigma = try reader.double("order_value_sigma", default: orderValueSigma, in: 0...3)
        newSessionProbability = try reader.probability("new_session_probability", default: newSessionProbability)
        inSessionGapSeconds = try reader.double("in_session_gap_seconds", default: inSessionGapSeconds, in: 0...86_400)
        sessionGapMedianHours = try reader.double("session_gap_median_hours", default: sessionGapMedianHours, in: 0.5...8760)
        sessionGapSigma = try reader.double("session_gap_sigma", default: sessionGapSigma, in: 0...3)
    }

    static func checkNames(_ names: [String], allowed: [String], path: String) throws(ScenarioError) {
        for name in names where !allowed.contains(name) {
            throw .invalidValue(path: "\(path).\(name)", expected: "one of \(allowed.joined(separator: ", "))", found: "\"\(name)\"")
        }
    }

    static func checkKinds(_ names: [String], path: String, allowDrop: Bool) throws(ScenarioError) {
        for name in names where TouchpointKind(rawValue: name) == nil && !(allowDrop && name == "drop") {
            let known = TouchpointKind.allCases.map(\.rawValue) + (allowDrop ? ["drop"] : [])
            throw .invalidValue(path: "\(path).\(name)", expected: "a touchpoint type (\(known.joined(separator: ", ")))", found: "\"\(name)\"")
        }
    }
}

extension JourneyConfig {
    public var expectations: Expectations {
        Expectations(datasource: JourneyModel.datasource, targets: [
            .init("email_click_to_open", 0.15, meaning: "email_click ÷ email_open"),
        ], maxPerDay: 3, referrers: JourneyModel.referrers)
    }
}
