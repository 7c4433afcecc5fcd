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
    /// Paid campaigns, then email campaigns.
    let campaignNames: [String]
    let tables: Tables
    let adChannelChoice, originChoice, returnChoice, deviceChoice, campaignChoice, emailCampaignChoice: AliasTable
    /// Each customer's profile once drawn (`profile(customer:seed:)`, a function of the customer
    /// alone), packed: primary device + 1 in the low 31 bits, bit 31 for an app user; 0 for not
    /// drawn yet. Drawing it again per journey (a generator seeded, two draws) was about 70
    /// instructions of each. Empty for more than `profileCacheLimit` customers (each drawn every time).
    var profiles: [UInt32]
    static let profileCacheLimit = 1 << 22

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
        var categories: [Int] = [], prices: [Double] = [], metadata: [EncodedText] = []
        for p in 0..<config.products {
            var rng = Xoshiro256(seed: seed, stream: StreamTag("journey-product"), index: UInt64(p))
            let c = categoryChoice.sample(using: &rng)
            categories.append(c)
            prices.append(max(1, (Distribution.logNormal(median: config.orderValueMedian, sigma: config.orderValueSigma, using: &rng) * 100).rounded() / 100))
            metadata.append(EncodedText("{\"product_id\":\"prod_\(p + 1)\",\"category\":\"\(config.categories[c].0)\"}"))
        }
        productCategory = categories
        productPrice = prices
        productMetadata = metadata
        adChannelChoice = AliasTable(weights: config.adChannels.map(\.1))
        originChoice = AliasTable(weights: config.siteOrigins.map(\.1))
        returnChoice = AliasTable(weights: config.returnOrigins.map(\.1))
        deviceChoice = AliasTable(weights: config.devices.map(\.1))
        campaignNames = (config.campaigns + config.emailCampaigns).map(\.0)
        tables = Tables(config: config, campaignNames: campaignNames, productMetadata: metadata)
        campaignChoice = AliasTable(weights: config.campaigns.map(\.1))
        emailCampaignChoice = AliasTable(weights: config.emailCampaigns.map(\.1))
        profiles = config.customers <= Self.profileCacheLimit ? Array(repeating: 0, count: config.customers) : []
    }

    public var peakSessionsPerSecond: Double { config.journeysPerHour / 3600 }

    public func intensity(secondOfDay: Int, weekend: Bool) -> Double {
        config.dailyCurve.intensity(secondOfDay: secondOfDay, weekend: weekend)
    }

    /// One session of a journey: where it came from, on which device, with which referrer (indexes
    /// into `tables`).
    struct Visit {
        var channel: Int32
        var device: Int
        var referrer: Int32
    }

    // `mutating` like the protocol's requirement although nothing changes: a non-mutating witness
    // was called through a thunk that copied the model (952 bytes) once per journey. The helpers it
    // calls are inlined for the same reason: an outlined non-mutating call from a mutating method
    // takes a copy of the model.
    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [TouchpointRecord]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("journey"), index: UInt64(index))
        let customer = customerChoice.sample(using: &rng)
        let (primary, appUser) = profile(customer: customer, seed: seed)

        let product = productChoice.sample(using: &rng)
        let category = productCategory[product]
        let first = startChoice.next(using: &rng) ?? .pageView
        let campaign: Int? = switch first {
        case .emailOpen: config.campaigns.count + emailCampaignChoice.sample(using: &rng)
        case .adImpression, .socialEngagement: campaignChoice.sample(using: &rng)
        default: nil
        }
        let adChannel = tables.adChannels[adChannelChoice.sample(using: &rng)]

        // A touchpoint's page and channel are looked up by its kind, not chosen by a `switch` per
        // touchpoint: the kind is random, and each switch was a jump table mostly mispredicted.
        let pages = pages(product: product, category: category, campaign: campaign)
        var channels = channels(adChannel: adChannel)
        var kind: TouchpointKind? = first
        var time = start
        var session = 1
        var visit = startVisit(with: first, returning: false, adChannel: adChannel, primary: primary, appUser: appUser, using: &rng)
        channels[TouchpointKind.sessionChannel] = visit.channel
        var step = 0
        while let current = kind, step < config.maxTouchpoints {
            step += 1
            if step > 1 {
                if rng.unit() < config.newSessionProbability {
                    session += 1
                    let gap = Distribution.truncatedLogNormal(
                        median: config.sessionGapMedianHours, sigma: config.sessionGapSigma, scale: 3600, using: &rng)
                    time += max(1860, gap)
                    visit = startVisit(with: current, returning: true, adChannel: adChannel, primary: primary, appUser: appUser, using: &rng)
                    channels[TouchpointKind.sessionChannel] = visit.channel
                } else {
                    // Whole seconds, so now and then two touchpoints share one (a quick click).
                    time += Int64(Distribution.exponential(mean: config.inSessionGapSeconds, using: &rng))
                }
            }
            let quantity = current == .purchase ? UInt8(truncatingIfNeeded: 1 + rng.below(3)) : 0
            let timeSpent = max(1, Distribution.roundedLogNormal(median: current.medianSeconds, sigma: 0.6, using: &rng))
            events.append(TouchpointRecord(
                time: time, journey: index + 1, customer: Int32(truncatingIfNeeded: customer + 1),
                timeSpent: Int32(clamping: timeSpent),
                sessionNumber: Int32(truncatingIfNeeded: session), step: Int32(truncatingIfNeeded: step),
                product: Int32(truncatingIfNeeded: product),
                channel: channels[current.channelSlot],
                device: Int32(truncatingIfNeeded: visit.device),
                campaign: campaign.map { Int32(truncatingIfNeeded: $0 + 1) } ?? 0,
                referrer: visit.referrer,
                page: pages[current.pageSlot],
                kind: current, quantity: quantity))
            if current == .purchase { break }
            kind = transitions[current.position]?.next(using: &rng)
        }
        return customer
    }

    /// A customer's primary device and whether they use the app (on a phone or tablet), from their
    /// own stream; from `profiles` once drawn (for the model's seed).
    @inline(__always)  // (see `session`)
    mutating func profile(customer: Int, seed: UInt64) -> (primary: Int, appUser: Bool) {
        let cached = seed == self.seed && customer < profiles.count
        if cached, case let packed = profiles[customer], packed != 0 {
            return (Int(packed & 0x7FFF_FFFF) &- 1, packed & 1 << 31 != 0)
        }
        var rng = Xoshiro256(seed: seed, stream: StreamTag("customer"), index: UInt64(customer))
        let primary = deviceChoice.sample(using: &rng)
        let appUser = !tables.desktop[primary] && rng.unit() < config.appUserRate
        if cached { profiles[customer] = UInt32(truncatingIfNeeded: primary + 1) | (appUser ? 1 << 31 : 0) }
        return (primary, appUser)
    }

    /// The channel of each kind of touchpoint of a journey, by `TouchpointKind.channelSlot`: the
    /// channel an off-site touchpoint happens on (the ad network, email, social, search), and in
    /// slot `sessionChannel`, for the on-site ones, their session's acquisition channel (to be set).
    @inline(__always)
    func channels(adChannel: Int32) -> SIMD8<Int32> {
        SIMD8(0, adChannel, tables.email, tables.social, tables.search, 0, 0, 0)
    }

    /// The channel an off-site touchpoint happens on; nil for an on-site one.
    @inline(__always)
    func offSiteChannel(of kind: TouchpointKind, adChannel: Int32) -> Int32? {
        let slot = kind.channelSlot
        return slot == TouchpointKind.sessionChannel ? nil : channels(adChannel: adChannel)[slot]
    }

    /// A new session beginning with `kind`: acquired by that touchpoint when it is off-site, else by
    /// an origin (a journey's first session: `siteOrigins`; a returning one: `returnOrigins`). The
    /// device is the primary one most of the time; direct sessions of app users on a phone or tablet
    /// are `mobile_app`, other direct sessions `website`.
    @inline(__always)  // (see `session`)
    func startVisit(with kind: TouchpointKind, returning: Bool, adChannel: Int32, primary: Int, appUser: Bool,
                    using rng: inout Xoshiro256) -> Visit {
        let device = rng.unit() < config.primaryDeviceRate ? primary : deviceChoice.sample(using: &rng)
        var channel: Int32
        if let offSite = offSiteChannel(of: kind, adChannel: adChannel) {
            channel = offSite
        } else if returning {
            let origin = tables.returnOrigins[returnChoice.sample(using: &rng)]
            channel = origin == Tables.adOrigin ? adChannel : origin
        } else {
            channel = tables.siteOrigins[originChoice.sample(using: &rng)]
        }
        if channel == tables.direct {
            channel = appUser && !tables.desktop[device] ? tables.mobileApp : tables.website
        }
        return Visit(channel: channel, device: device, referrer: referrer(of: channel, using: &rng))
    }

    /// Where the visitor came from, consistent with the channel (`referrers`).
    @inline(__always)
    func referrer(of channel: Int32, using rng: inout Xoshiro256) -> Int32 {
        let start = Int(tables.referrerStart[Int(channel)]), end = Int(tables.referrerStart[Int(channel) + 1])
        guard end > start else { return tables.directReferrer }
        return tables.referrerList[start + rng.below(end - start)]
    }

    /// The page of each kind of touchpoint of a journey, by `TouchpointKind.pageSlot`: its
    /// campaign's landing page (or the home page), the category's search results, the category, the
    /// product, then the fixed pages.
    @inline(__always)
    func pages(product: Int, category: Int, campaign: Int?) -> SIMD8<Int32> {
        let category = Int32(truncatingIfNeeded: category)
        return SIMD8(campaign.map { tables.campaignPages + Int32(truncatingIfNeeded: $0) } ?? tables.home,
                     tables.searchPages + category, tables.categoryPages + category, Int32(truncatingIfNeeded: product),
                     tables.support, tables.cart, tables.checkout, tables.complete)
    }

    /// A purchase's amount (the product's price times the quantity), 0 for any other touchpoint.
    @inline(__always)
    func amount(_ r: TouchpointRecord) -> Double {
        r.quantity == 0 ? 0 : productPrice[Int(r.product)] * Double(r.quantity)
    }

    public func event(_ r: TouchpointRecord) -> Touchpoint {
        Touchpoint(
            customer: Int(r.customer), journey: r.journey, sessionNumber: Int(r.sessionNumber), time: r.time, step: Int(r.step),
            kind: r.kind, channel: tables.channel.texts[Int(r.channel)], device: tables.device.texts[Int(r.device)],
            campaignID: tables.campaign.texts[Int(r.campaign)], transactionAmount: amount(r),
            referrer: tables.referrer.texts[Int(r.referrer)], pageURL: tables.page.texts[Int(r.page)],
            timeSpent: Int(r.timeSpent), metadata: productMetadata[Int(r.product)])
    }

    /// `Touchpoint.encode`'s fields, the categorical ones copied from `tables`.
    @inline(__always)  // into `DatasourceStream.encodeNextRow`, where the model is then used in place, not copied
    public func encode(_ r: TouchpointRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.prefixedID("customer_id", "cust_", Int(r.customer))
        encoder.prefixedIDPair("session_id", "sess_", r.journey, Int(r.sessionNumber))
        encoder.timestamp("timestamp", timestamp ?? r.time)
        encoder.prefixedIDPair("touchpoint_id", "tp_", r.journey, Int(r.step))
        encoder.field(tables.kind, r.kind.position)
        encoder.field(tables.channel, Int(r.channel))
        encoder.field(tables.device, Int(r.device))
        encoder.field(tables.campaign, Int(r.campaign))
        if r.kind != .purchase {
            encoder.field(tables.noSale, 0)  // most touchpoints: one copy for the two fields
        } else {
            encoder.integer("conversion", 1)
            encoder.decimal2("transaction_amount", amount(r))
        }
        encoder.field(tables.referrer, Int(r.referrer))
        encoder.field(tables.page, Int(r.page))
        encoder.integer("time_spent", Int(r.timeSpent))
        encoder.field(tables.action, r.kind.position)
        encoder.field(tables.metadata, Int(r.product))
        encoder.endRow()
    }
}
