/// Customer journeys: a customer (with a primary device) starts a journey from an ad, a search, a
/// social post, an email or a visit straight to the site, and moves through awareness →
/// consideration → conversion as a Markov chain over touchpoint kinds (`TouchpointKind`, the funnel),
/// with gaps of minutes within a session and hours to days between sessions. A journey that reaches
/// `purchase` converts: `conversion` is 1 and `transaction_amount` > 0 there, and only there.
///
/// Channels are attributed as analytics tools do: an ad, email, social or search touchpoint is on its
/// own channel, and every on-site touchpoint carries its **session's acquisition channel** — where the
/// session came from (the ad network, email, social, search, a referral or affiliate link, or direct:
/// `website`, or `mobile_app` for app users on a phone or tablet). So purchases, and revenue, fall on
/// every channel. A session has one device (mostly the customer's primary one; never a desktop for
/// `mobile_app`) and one referrer.
public struct JourneyModel: DomainModel {
    public static let datasource = "customer_touchpoints"
    public static let site = "https://shop.example.com"

    public let config: JourneyConfig
    let seed: UInt64
    let startChoice: KindChoice
    let transitions: [KindChoice?]  // indexed by TouchpointKind position; nil: the journey ends
    let customerChoice: Zipf
    let productChoice: Zipf
    let productCategory: [Int]
    let productPrice: [Double]
    let productMetadata: [EncodedText]
    let productPage: [String]
    let categoryPage: [String]
    let searchPage: [String]
    /// Paid campaigns, then email campaigns, and each one's landing page.
    let campaignNames: [String]
    let campaignPage: [String]
    let adChannelChoice, originChoice, returnChoice, deviceChoice, campaignChoice, emailCampaignChoice: AliasTable

    /// Next-kind choice: an alias table over kinds, where `nil` stands for "drop".
    struct KindChoice: Sendable {
        let kinds: [TouchpointKind?]
        let table: AliasTable

        init(_ weights: [(String, Double)]) {
            kinds = weights.map { TouchpointKind(rawValue: $0.0) }
            table = AliasTable(weights: weights.map(\.1))
        }

        func next(using rng: inout Xoshiro256) -> TouchpointKind? { kinds[table.sample(using: &rng)] }
    }

    public init(config: JourneyConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        startChoice = KindChoice(config.startWeights)
        transitions = TouchpointKind.allCases.map { kind in config.transitions[kind.rawValue].map(KindChoice.init) }
        customerChoice = Zipf(count: config.customers, exponent: config.customerZipf)
        productChoice = Zipf(count: config.products, exponent: config.productZipf)
        let categoryChoice = AliasTable(weights: config.categories.map(\.1))
        var categories: [Int] = [], prices: [Double] = [], metadata: [EncodedText] = [], pages: [String] = []
        for p in 0..<config.products {
            var rng = Xoshiro256(seed: seed, stream: StreamTag("journey-product"), index: UInt64(p))
            let c = categoryChoice.sample(using: &rng)
            categories.append(c)
            prices.append(max(1, (Distribution.logNormal(median: config.orderValueMedian, sigma: config.orderValueSigma, using: &rng) * 100).rounded() / 100))
            metadata.append(EncodedText("{\"product_id\":\"prod_\(p + 1)\",\"category\":\"\(config.categories[c].0)\"}"))
            pages.append("\(Self.site)/products/prod_\(p + 1)")
        }
        productCategory = categories
        productPrice = prices
        productMetadata = metadata
        productPage = pages
        categoryPage = config.categories.map { "\(Self.site)/category/\($0.0)" }
        searchPage = config.categories.map { "\(Self.site)/search?q=\($0.0)" }
        adChannelChoice = AliasTable(weights: config.adChannels.map(\.1))
        originChoice = AliasTable(weights: config.siteOrigins.map(\.1))
        returnChoice = AliasTable(weights: config.returnOrigins.map(\.1))
        deviceChoice = AliasTable(weights: config.devices.map(\.1))
        campaignNames = (config.campaigns + config.emailCampaigns).map(\.0)
        campaignPage = campaignNames.map { "\(Self.site)/landing/\($0)" }
        campaignChoice = AliasTable(weights: config.campaigns.map(\.1))
        emailCampaignChoice = AliasTable(weights: config.emailCampaigns.map(\.1))
    }

    public var peakSessionsPerSecond: Double { config.journeysPerHour / 3600 }

    public func intensity(at t: Int64) -> Double { config.dailyCurve.intensity(at: t) }

    /// One session of a journey: where it came from, on which device, with which referrer.
    struct Visit {
        var channel: String
        var device: Int
        var referrer: String
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [Touchpoint]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("journey"), index: UInt64(index))
        let customer = customerChoice.sample(using: &rng)
        var profile = Xoshiro256(seed: seed, stream: StreamTag("customer"), index: UInt64(customer))
        let primary = deviceChoice.sample(using: &profile)
        let appUser = config.devices[primary].0 != "desktop" && profile.unit() < config.appUserRate

        let product = productChoice.sample(using: &rng)
        let category = productCategory[product]
        let first = startChoice.next(using: &rng) ?? .pageView
        let campaign: Int? = switch first {
        case .emailOpen: config.campaigns.count + emailCampaignChoice.sample(using: &rng)
        case .adImpression, .socialEngagement: campaignChoice.sample(using: &rng)
        default: nil
        }
        let adChannel = config.adChannels[adChannelChoice.sample(using: &rng)].0

        var kind: TouchpointKind? = first
        var time = start
        var session = 1
        var visit = startVisit(with: first, returning: false, adChannel: adChannel, primary: primary, appUser: appUser, using: &rng)
        var step = 0
        while let current = kind, step < config.maxTouchpoints {
            step += 1
            if step > 1 {
                if rng.unit() < config.newSessionProbability {
                    session += 1
                    let hours = Distribution.logNormal(median: config.sessionGapMedianHours, sigma: config.sessionGapSigma, using: &rng)
                    time += max(1860, Int64(hours * 3600))
                    visit = startVisit(with: current, returning: true, adChannel: adChannel, primary: primary, appUser: appUser, using: &rng)
                } else {
                    // Whole seconds, so now and then two touchpoints share one (a quick click).
                    time += Int64(Distribution.exponential(mean: config.inSessionGapSeconds, using: &rng))
                }
            }
            let amount = current == .purchase ? productPrice[product] * Double(1 + rng.below(3)) : 0
            events.append(Touchpoint(
                customer: customer + 1, journey: index + 1, sessionNumber: session, time: time, step: step,
                kind: current, channel: Self.offSiteChannel(of: current, adChannel: adChannel) ?? visit.channel,
                device: config.devices[visit.device].0,
                campaignID: campaign.map { campaignNames[$0] } ?? "",
                transactionAmount: amount, referrer: visit.referrer,
                pageURL: page(of: current, product: product, category: category, campaign: campaign),
                timeSpent: max(1, Int(Distribution.logNormal(median: current.medianSeconds, sigma: 0.6, using: &rng).rounded())),
                metadata: productMetadata[product]))
            if current == .purchase { break }
            kind = transitions[current.position]?.next(using: &rng)
        }
        return customer
    }

    /// The channel an off-site touchpoint happens on (the ad network, email, social, search); nil
    /// for an on-site one, which carries its session's acquisition channel.
    static func offSiteChannel(of kind: TouchpointKind, adChannel: String) -> String? {
        switch kind {
        case .adImpression, .adClick: return adChannel
        case .emailOpen, .emailClick: return "email"
        case .socialEngagement: return "social"
        case .search: return "search"
        case .pageView, .productView, .supportChat, .addToCart, .checkout, .purchase: return nil
        }
    }

    /// A new session beginning with `kind`: acquired by that touchpoint when it is off-site, else by
    /// an origin (a journey's first session: `siteOrigins`; a returning one: `returnOrigins`). The
    /// device is the primary one most of the time; direct sessions of app users on a phone or tablet
    /// are `mobile_app`, other direct sessions `website`.
    func startVisit(with kind: TouchpointKind, returning: Bool, adChannel: String, primary: Int, appUser: Bool,
                    using rng: inout Xoshiro256) -> Visit {
        let device = rng.unit() < config.primaryDeviceRate ? primary : deviceChoice.sample(using: &rng)
        var channel: String
        if let offSite = Self.offSiteChannel(of: kind, adChannel: adChannel) {
            channel = offSite
        } else if returning {
            let origin = config.returnOrigins[returnChoice.sample(using: &rng)].0
            channel = origin == "ad" ? adChannel : origin
        } else {
            channel = config.siteOrigins[originChoice.sample(using: &rng)].0
        }
        if channel == "direct" {
            channel = appUser && config.devices[device].0 != "desktop" ? "mobile_app" : "website"
        }
        return Visit(channel: channel, device: device, referrer: Self.referrer(of: channel, using: &rng))
    }

    func page(of kind: TouchpointKind, product: Int, category: Int, campaign: Int?) -> String {
        switch kind {
        case .adImpression, .adClick, .emailOpen, .emailClick, .socialEngagement:
            return campaign.map { campaignPage[$0] } ?? Self.home
        case .search: return searchPage[category]
        case .pageView: return categoryPage[category]
        case .productView: return productPage[product]
        case .supportChat: return Self.supportPage
        case .addToCart: return Self.cartPage
        case .checkout: return Self.checkoutPage
        case .purchase: return Self.completePage
        }
    }

    // Built once, not per touchpoint.
    static let home = "\(site)/"
    static let supportPage = "\(site)/support"
    static let cartPage = "\(site)/cart"
    static let checkoutPage = "\(site)/checkout"
    static let completePage = "\(site)/checkout/complete"

    /// Where the visitor came from, consistent with the channel.
    static func referrer(of channel: String, using rng: inout Xoshiro256) -> String {
        guard let options = referrers[channel] else { return "direct" }
        return options[rng.below(options.count)]
    }

    static let referrers: [String: [String]] = [
        "search": ["google.com", "google.com", "google.com", "bing.com", "duckduckgo.com"],
        "social": ["facebook.com", "instagram.com", "tiktok.com", "linkedin.com", "x.com"],
        "display": ["googleadservices.com", "doubleclick.net", "criteo.com"],
        "email": ["newsletter"],
        "affiliate": ["partner-blog.example.org", "deals.example.net"],
        "referral": ["friend-invite.example.com", "reviews.example.org"],
        "mobile_app": ["app"],
        "website": ["direct"],
    ]
}
