/// Customer journeys: a customer (with a primary device) starts a journey from an ad, a search, a
/// social post, an email or a referral, and moves through awareness → consideration → conversion as
/// a Markov chain over touchpoint kinds, with channels, pages and referrers that follow from each
/// touchpoint, gaps of minutes within a session and hours to days between sessions. A journey that
/// reaches `purchase` converts: `conversion` is 1 and `transaction_amount` > 0 there, and only there.
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
    let productMetadata: [String]
    let productPage: [String]
    let categoryPage: [String]
    let searchPage: [String]
    let campaignPage: [String]
    let adChannelChoice, originChoice, deviceChoice, campaignChoice: AliasTable

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
        var categories: [Int] = [], prices: [Double] = [], metadata: [String] = [], pages: [String] = []
        for p in 0..<config.products {
            var rng = Xoshiro256(seed: seed, stream: StreamTag("journey-product"), index: UInt64(p))
            let c = categoryChoice.sample(using: &rng)
            categories.append(c)
            prices.append(max(1, (Distribution.logNormal(median: config.orderValueMedian, sigma: config.orderValueSigma, using: &rng) * 100).rounded() / 100))
            metadata.append("{\"product_id\":\"prod_\(p + 1)\",\"category\":\"\(config.categories[c].0)\"}")
            pages.append("\(Self.site)/products/prod_\(p + 1)")
        }
        productCategory = categories
        productPrice = prices
        productMetadata = metadata
        productPage = pages
        categoryPage = config.categories.map { "\(Self.site)/category/\($0.0)" }
        searchPage = config.categories.map { "\(Self.site)/search?q=\($0.0)" }
        campaignPage = config.campaigns.map { "\(Self.site)/landing/\($0.0)" }
        adChannelChoice = AliasTable(weights: config.adChannels.map(\.1))
        originChoice = AliasTable(weights: config.siteOrigins.map(\.1))
        deviceChoice = AliasTable(weights: config.devices.map(\.1))
        campaignChoice = AliasTable(weights: config.campaigns.map(\.1))
    }

    public var peakSessionsPerSecond: Double { config.journeysPerHour / 3600 }

    public func intensity(at t: Int64) -> Double { config.dailyCurve.intensity(at: t) }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [Touchpoint]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("journey"), index: UInt64(index))
        let customer = customerChoice.sample(using: &rng)
        var profile = Xoshiro256(seed: seed, stream: StreamTag("customer"), index: UInt64(customer))
        let device = deviceChoice.sample(using: &profile)
        let appUser = config.devices[device].0 == "mobile" && profile.unit() < config.appUserRate

        let product = productChoice.sample(using: &rng)
        let category = productCategory[product]
        let first = startChoice.next(using: &rng) ?? .pageView
        let paid = first == .adImpression || first == .emailOpen || first == .socialEngagement
        let campaign = paid ? campaignChoice.sample(using: &rng) : nil
        let adChannel = config.adChannels[adChannelChoice.sample(using: &rng)].0
        let origin = config.siteOrigins[originChoice.sample(using: &rng)].0

        var kind: TouchpointKind? = first
        var time = start
        var session = 1
        var step = 0
        while let current = kind, step < config.maxTouchpoints {
            step += 1
            if step > 1 {
                if rng.unit() < config.newSessionProbability {
                    session += 1
                    let hours = Distribution.logNormal(median: config.sessionGapMedianHours, sigma: config.sessionGapSigma, using: &rng)
                    time += max(1860, Int64(hours * 3600))
                } else {
                    time += 1 + Int64(Distribution.exponential(mean: config.inSessionGapSeconds, using: &rng))
                }
            }
            let channel = channel(of: current, step: step, adChannel: adChannel, origin: origin, appUser: appUser)
            let usedDevice = rng.unit() < 0.85 ? device : deviceChoice.sample(using: &rng)
            let amount = current == .purchase ? productPrice[product] * Double(1 + rng.below(3)) : 0
            events.append(Touchpoint(
                customer: customer + 1, journey: index + 1, sessionNumber: session, time: time, step: step,
                kind: current, channel: channel, device: config.devices[usedDevice].0,
                campaignID: campaign.map { config.campaigns[$0].0 } ?? "",
                transactionAmount: amount, referrer: Self.referrer(of: channel, using: &rng),
                pageURL: page(of: current, product: product, category: category, campaign: campaign),
                timeSpent: max(1, Int(Distribution.logNormal(median: current.medianSeconds, sigma: 0.6, using: &rng).rounded())),
                metadata: productMetadata[product]))
            if current == .purchase { break }
            kind = transitions[TouchpointKind.allCases.firstIndex(of: current) ?? 0]?.next(using: &rng)
        }
        return customer
    }

    /// The channel a touchpoint happens on: ads on the journey's ad network, email in email, social
    /// on social, search on search; on-site steps in the app (app users) or on the website, except a
    /// journey's first on-site step when it came from a referral or affiliate link.
    func channel(of kind: TouchpointKind, step: Int, adChannel: String, origin: String, appUser: Bool) -> String {
        switch kind {
        case .adImpression, .adClick: return adChannel
        case .emailOpen, .emailClick: return "email"
        case .socialEngagement: return "social"
        case .search: return "search"
        case .pageView where step == 1: return origin
        default: return appUser ? "mobile_app" : "website"
        }
    }

    func page(of kind: TouchpointKind, product: Int, category: Int, campaign: Int?) -> String {
        switch kind {
        case .adImpression, .adClick, .emailOpen, .emailClick, .socialEngagement:
            return campaign.map { campaignPage[$0] } ?? "\(Self.site)/"
        case .search: return searchPage[category]
        case .pageView: return categoryPage[category]
        case .productView: return productPage[product]
        case .supportChat: return "\(Self.site)/support"
        case .addToCart: return "\(Self.site)/cart"
        case .checkout: return "\(Self.site)/checkout"
        case .purchase: return "\(Self.site)/checkout/complete"
        }
    }

    /// Where the visitor came from, consistent with the channel.
    static func referrer(of channel: String, using rng: inout Xoshiro256) -> String {
        guard let options = referrers[channel] else { return "shop.example.com" }
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
    ]
}
