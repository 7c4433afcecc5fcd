import Foundation

/// Customer journeys: a customer (with a country, a primary device and a personal rate, one journey
/// at a time and at most `maxJourneysPerDay` a day: `PersonSchedule`) is reached by an ad, a social
/// post, an email or a search, or comes straight to the site, and moves through awareness →
/// consideration → conversion (`TouchpointKind`, the funnel).
///
/// The funnel narrows at the declared rates: an ad is shown in a series of impressions, each clicked
/// at its channel's click-through rate (the campaign's lift around it); an email is opened, then
/// clicked at the click-to-open rate; a click (or a search result, a social post, a link, a typed-in
/// address) starts a visit — a page view, product views, perhaps an add to cart, a checkout and a
/// purchase, at the device's conversion rate. A visit that does not buy may be followed, hours or
/// days later, by a return (a cart reminder email after an abandoned cart, a retargeting ad, a
/// search, a direct visit). A purchase ends the journey: `conversion` is 1 and `transaction_amount`
/// (the catalogue's price times the quantity) > 0 there, and only there.
///
/// Channels are attributed as analytics tools do: an ad, email, social or search touchpoint is on its
/// own channel, and every on-site touchpoint carries its **session's acquisition channel**; a
/// session has one device and one referrer, which matches its channel. Campaigns run on their
/// channels and in their season only. A touchpoint's `time_spent` ends before the next one starts.
public struct JourneyModel: DomainModel {
    public static let datasource = "customer_touchpoints"
    public static let site = "https://shop.example.com"

    public let config: JourneyConfig
    let seed: UInt64
    let catalogue: Catalogue
    let productMetadata: [EncodedText]
    let tables: Tables
    var schedule: PersonSchedule
    /// Per customer, their country (an index into `config.countries`). Their primary device and
    /// whether they use the app are their tag in `schedule`: device + 1 in the low 31 bits, bit 31
    /// for an app user.
    public let countryOf: [Int32]
    let startKinds: [TouchpointKind]
    let startChoice, adChannelChoice, originChoice, returnChoice, deviceChoice: AliasTable
    /// Per ad channel (`config.adChannels` order): its declared click-through rate.
    let adChannelCTR: [Double]
    /// Per device: the chance that a visit adds to cart (so that it converts at the device's rate).
    let cartRate: [Double]
    /// The chance that an ad series or an email series goes on after a touch that is not clicked.
    let impressionContinue, emailContinue: Double
    /// Per channel code: the campaigns that may run on it (indexes into `config.campaigns`).
    let campaignsOn: [[Int]]
    let cartReminder: Int
    /// Per channel code, the campaigns running on the cached day, their cumulative weights and
    /// click-through factors: a pure function of (channel, day), kept because seasons change by day.
    var campaignDay: [Int64]
    var campaignTables: [[(campaign: Int, cumulative: Double, factor: Double)]]

    public init(config: JourneyConfig, seed: UInt64, populationSeed: UInt64? = nil) {
        self.config = config
        self.seed = seed
        let populationSeed = populationSeed ?? seed
        let catalogue = Catalogue(products: config.products, categories: config.categories, popularityExponent: config.productZipf, populationSeed: populationSeed)
        self.catalogue = catalogue
        let productMetadata = (0..<catalogue.count).map { p in
            let category = config.categories[catalogue.category[p]].name
            let escaped = category.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return EncodedText("{\"product_id\":\"prod_\(p + 1)\",\"category\":\"\(escaped)\"}")
        }
        self.productMetadata = productMetadata
        let tables = Tables(config: config, campaignNames: config.campaigns.map(\.name), productMetadata: productMetadata)
        self.tables = tables
        startKinds = config.startWeights.map { TouchpointKind(rawValue: $0.0) ?? .pageView }
        startChoice = AliasTable(weights: config.startWeights.map(\.1))
        adChannelChoice = AliasTable(weights: config.adChannels.map(\.1))
        originChoice = AliasTable(weights: config.siteOrigins.map(\.1))
        returnChoice = AliasTable(weights: config.returnOrigins.map(\.1))
        deviceChoice = AliasTable(weights: config.devices.map(\.1))
        adChannelCTR = config.adChannels.map { config.clickThroughRate($0.0) }
        let conversion = config.conversionByDevice
        let afterCart = config.checkoutRate * config.checkoutCompletionRate
        cartRate = config.devices.map { min(1, (conversion[$0.0] ?? config.sessionConversionRate) / afterCart) }
        impressionContinue = 1 - 1 / config.impressionsPerSeries
        emailContinue = 1 - 1 / config.emailsPerSeries
        let names = tables.channel.texts
        campaignsOn = names.map { channel in config.campaigns.indices.filter { config.campaigns[$0].channels.contains(channel) } }
        cartReminder = config.campaigns.firstIndex { $0.name == JourneyConfig.cartReminder } ?? 0
        campaignDay = Array(repeating: .min, count: names.count)
        campaignTables = Array(repeating: [], count: names.count)

        let devicePick = CumulativeChoice(weights: config.devices.map(\.1))
        let desktop = tables.desktop
        let appUserRate = config.appUserRate
        (schedule, countryOf) = PersonSchedule.worldwide(
            countries: config.countries, curve: config.dailyCurve, perHour: config.journeysPerHour, perWeek: config.journeysPerCustomerPerWeek,
            people: config.customers, sigma: config.activitySigma, ceiling: config.activityCeiling, cap: config.maxJourneysPerDay,
            capInUTC: true, populationSeed: populationSeed) { draws, _ in
                let primary = devicePick.choose(draws.device)
                let appUser = !desktop[primary] && draws.appUser < appUserRate
                return UInt32(truncatingIfNeeded: primary + 1) | (appUser ? 1 << 31 : 0)
            }
    }

    public var peakSessionsPerSecond: Double { config.journeysPerHour / 3600 }

    public func intensity(secondOfWeek: Int) -> Double { schedule.intensity(secondOfWeek: secondOfWeek) }

    /// A campaign running on channel `code` at `t`, drawn by weight, with its click-through factor
    /// (its lift over the weighted mean lift of the campaigns running then); nil when none runs.
    mutating func campaign(on code: Int32, at t: Int64, using rng: inout Xoshiro256) -> (campaign: Int, factor: Double)? {
        let c = Int(code)
        let day = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        if campaignDay[c] != day {
            campaignDay[c] = day
            let running = campaignsOn[c].filter { config.campaigns[$0].weight > 0 && config.campaigns[$0].runs(at: day * 86_400) }
            let total = running.reduce(0.0) { $0 + config.campaigns[$1].weight }
            let lift = running.reduce(0.0) { $0 + config.campaigns[$1].weight * config.campaigns[$1].ctrLift } / max(total, .leastNonzeroMagnitude)
            var sum = 0.0
            campaignTables[c] = running.map { i in
                sum += config.campaigns[i].weight / total
                return (i, sum, config.campaigns[i].ctrLift / lift)
            }
        }
        guard !campaignTables[c].isEmpty else { return nil }
        let u = rng.unit()
        for entry in campaignTables[c] where u < entry.cumulative { return (entry.campaign, entry.factor) }
        let last = campaignTables[c][campaignTables[c].count - 1]
        return (last.campaign, last.factor)
    }

    /// Where a series of touches, or a visit, comes from.
    enum Entry {
        case ad(channel: Int)
        case email(reminder: Bool)
        case social
        case search
        case site(channel: Int32)
    }

    // `mutating` like the protocol's requirement: a non-mutating witness was called through a thunk
    // that copied the model once per journey.
    public mutating func prepare(index: Int, start: Int64, seed: UInt64) {
        schedule.prepare(index: index, start: start, seed: seed, stream: StreamTag("journey"))
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [TouchpointRecord]) -> Int {
        var (rng, chosen) = schedule.begin(session: index, seed: seed, stream: StreamTag("journey"), at: start)
        guard let (position, customer, group, packed) = chosen else { return 0 }
        let primary = Int(packed & 0x7FFF_FFFF) - 1, appUser = packed & 1 << 31 != 0
        let focus = catalogue.sample(using: &rng)

        var time = start
        var step: Int32 = 0, sessionNumber: Int32 = 0
        var device: Int32 = 0, channel: Int32 = 0, referrer: Int32 = 0, campaign: Int32 = 0
        var spent: Int64 = 0
        var fresh = true
        var ended = false

        /// A new session on `code` (`direct` becomes `website` or `mobile_app`), `gapHours` (median)
        /// after the end of the last touchpoint.
        /// A series' next touch (an ad shown again, the next email) comes after an exponential gap of
        /// mean `gapHours` (`series`); a return visit after a log-normal one of that median.
        func newSession(_ code: Int32, gapHours: Double, series: Bool = false, rng: inout Xoshiro256) {
            if sessionNumber > 0 {
                let gap = series ? Int64(Distribution.exponential(mean: gapHours * 3600, using: &rng))
                    : Distribution.truncatedLogNormal(median: gapHours, sigma: config.sessionGapSigma, scale: 3600, using: &rng)
                time += spent + max(1800, gap)
            }
            sessionNumber += 1
            let d = rng.unit() < config.primaryDeviceRate ? primary : deviceChoice.sample(using: &rng)
            device = Int32(truncatingIfNeeded: d)
            channel = code == tables.direct ? (appUser && !tables.desktop[d] ? tables.mobileApp : tables.website) : code
            referrer = referrerOf(channel, using: &rng)
            fresh = true
        }
        // The page of each touchpoint follows from its kind, campaign and product (`page(_:)`).
        func emit(_ kind: TouchpointKind, product: Int, quantity: UInt8 = 0, rng: inout Xoshiro256) {
            // Whole seconds: a quick click (under a second on the touchpoint, under a second to the
            // next) shares its second with the touchpoint before it.
            if !fresh { time += spent + Int64(Distribution.exponential(mean: config.inSessionGapSeconds, using: &rng)) }
            fresh = false
            step += 1
            // At most 65,535 s, as a record holds it (18 hours: a draw at least 7 sigmas out).
            spent = min(65_535, Int64(Distribution.roundedLogNormal(median: kind.medianSeconds, sigma: 0.6, using: &rng)))
            events.append(TouchpointRecord(
                time: time, journey: index + 1, customer: Int32(truncatingIfNeeded: customer + 1),
                timeSpent: UInt16(truncatingIfNeeded: spent), sessionNumber: sessionNumber, step: step,
                product: Int32(truncatingIfNeeded: product), channel: channel, device: device, campaign: campaign,
                referrer: referrer, kind: kind, quantity: quantity))
            if step >= Int32(config.maxTouchpoints) { ended = true }
        }

        var entry: Entry
        switch startKinds[startChoice.sample(using: &rng)] {
        case .adImpression: entry = .ad(channel: adChannelChoice.sample(using: &rng))
        case .emailOpen: entry = .email(reminder: false)
        case .socialEngagement: entry = .social
        case .search: entry = .search
        default: entry = .site(channel: tables.siteOrigins[originChoice.sample(using: &rng)])
        }
        var gapHours = config.sessionGapMedianHours
        var carted = false
        while !ended {
            campaign = 0
            // The touches before a visit: nil when the journey ends without one.
            var visits = false
            switch entry {
            case .ad(let a):
                let code = tables.adChannels[a]
                let drawn = self.campaign(on: code, at: time, using: &rng)
                let ctr = min(1, adChannelCTR[a] * (drawn?.factor ?? 1))
                campaign = drawn.map { Int32(truncatingIfNeeded: $0.campaign + 1) } ?? 0
                var first = true
                while !ended {
                    newSession(code, gapHours: first ? gapHours : config.impressionGapHours, series: !first, rng: &rng)
                    first = false
                    // A campaign that has ended shows no more impressions.
                    if let c = drawn?.campaign, !config.campaigns[c].runs(at: time) { ended = true; break }
                    emit(.adImpression, product: focus, rng: &rng)
                    if rng.unit() < ctr {
                        emit(.adClick, product: focus, rng: &rng)
                        visits = true
                        break
                    }
                    if rng.unit() >= impressionContinue { ended = true }
                }
            case .email(let reminder):
                let drawn = reminder ? (campaign: cartReminder, factor: 1.0) : self.campaign(on: tables.email, at: time, using: &rng)
                campaign = drawn.map { Int32(truncatingIfNeeded: $0.campaign + 1) } ?? 0
                var first = true
                while !ended {
                    newSession(tables.email, gapHours: first ? gapHours : 24, series: !first, rng: &rng)
                    first = false
                    emit(.emailOpen, product: focus, rng: &rng)
                    if rng.unit() < config.emailClickToOpen {
                        emit(.emailClick, product: focus, rng: &rng)
                        visits = true
                        break
                    }
                    if reminder || rng.unit() >= emailContinue { ended = true }
                }
            case .social:
                newSession(tables.social, gapHours: gapHours, rng: &rng)
                emit(.socialEngagement, product: focus, rng: &rng)
                visits = rng.unit() < config.socialClickRate
            case .search:
                newSession(tables.search, gapHours: gapHours, rng: &rng)
                emit(.search, product: focus, rng: &rng)
                visits = rng.unit() < config.searchClickRate
            case .site(let code):
                newSession(code, gapHours: gapHours, rng: &rng)
                visits = true
            }
            guard visits, !ended else { break }

            // The visit: a landing page, products, perhaps a cart, a checkout and a purchase.
            emit(.pageView, product: focus, rng: &rng)
            var product = focus
            for v in 0..<Distribution.geometric(mean: config.productViewsPerSession, using: &rng) where !ended {
                product = v == 0 ? focus : catalogue.sample(using: &rng)
                emit(.productView, product: product, rng: &rng)
            }
            if !ended, rng.unit() < config.supportChatRate { emit(.supportChat, product: product, rng: &rng) }
            if !ended, rng.unit() < cartRate[Int(device)] {
                let quantity = UInt8(truncatingIfNeeded: 1 + rng.below(3))
                emit(.addToCart, product: product, quantity: quantity, rng: &rng)
                carted = true
                if !ended, rng.unit() < config.checkoutRate {
                    emit(.checkout, product: product, rng: &rng)
                    if !ended, rng.unit() < config.checkoutCompletionRate {
                        if rng.unit() < config.expressCheckoutRate {
                            // One click: the checkout takes no time and the purchase is the same second.
                            events[events.count - 1].timeSpent = 0
                            fresh = true
                        }
                        emit(.purchase, product: product, quantity: quantity, rng: &rng)
                        break
                    }
                }
            }
            guard !ended, rng.unit() < config.returnRate else { break }
            // A return, hours or days later.
            gapHours = config.sessionGapMedianHours
            let origin = tables.returnOrigins[returnChoice.sample(using: &rng)]
            switch origin {
            case Tables.adOrigin: entry = .ad(channel: adChannelChoice.sample(using: &rng))
            case Tables.emailOrigin: entry = .email(reminder: carted)
            case tables.search: entry = .search
            default: entry = .site(channel: origin)
            }
        }
        // Busy until the last touchpoint ends, and the half hour of inactivity that ends a session.
        schedule.occupy(position, group: group, start: start, until: time + spent + 1800)
        return customer
    }

    /// Where the visitor came from, consistent with the channel (`referrers`).
    @inline(__always)
    func referrerOf(_ channel: Int32, using rng: inout Xoshiro256) -> Int32 {
        let start = Int(tables.referrerStart[Int(channel)]), end = Int(tables.referrerStart[Int(channel) + 1])
        guard end > start else { return tables.directReferrer }
        return tables.referrerList[start + rng.below(end - start)]
    }

    /// A purchase's amount (the product's price times the quantity), 0 for any other touchpoint.
    @inline(__always)
    func amount(_ r: TouchpointRecord) -> Double {
        r.isPurchase ? catalogue.price[Int(r.product)] * Double(r.quantity) : 0
    }

    /// The page a touchpoint is on (an index into `tables.page`), from its kind, campaign and
    /// product: an ad's or an email's touches and a visit's landing page view are on the campaign's
    /// landing page (the home page without a campaign), a search on the results for the product's
    /// category, a visit's first page view without a campaign on that category's page, a product
    /// view on the product's page; the others have their own page.
    @inline(__always)
    func page(_ r: TouchpointRecord) -> Int {
        let landing = r.campaign > 0 ? Int(tables.campaignPages) + Int(r.campaign) - 1 : Int(tables.home)
        switch r.kind {
        case .adImpression, .adClick, .emailOpen, .emailClick: return landing
        case .socialEngagement: return Int(tables.home)
        case .search: return Int(tables.searchPages) + catalogue.category[Int(r.product)]
        case .pageView: return r.campaign > 0 ? landing : Int(tables.categoryPages) + catalogue.category[Int(r.product)]
        case .productView: return Int(r.product)
        case .supportChat: return Int(tables.support)
        case .addToCart: return Int(tables.cart)
        case .checkout: return Int(tables.checkout)
        case .purchase: return Int(tables.complete)
        }
    }

    public func event(_ r: TouchpointRecord) -> Touchpoint {
        Touchpoint(
            customer: Int(r.customer), journey: r.journey, sessionNumber: Int(r.sessionNumber), time: r.time, step: Int(r.step),
            kind: r.kind, channel: tables.channel.texts[Int(r.channel)], device: tables.device.texts[Int(r.device)],
            campaignID: tables.campaign.texts[Int(r.campaign)], transactionAmount: amount(r),
            referrer: tables.referrer.texts[Int(r.referrer)], pageURL: tables.page.texts[page(r)],
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
        encoder.field(tables.kind, r.kindPosition)
        encoder.field(tables.channel, Int(r.channel))
        encoder.field(tables.device, Int(r.device))
        encoder.field(tables.campaign, Int(r.campaign))
        if !r.isPurchase {
            encoder.field(tables.noSale, 0)  // most touchpoints: one copy for the two fields
        } else {
            encoder.integer("conversion", 1)
            encoder.decimal2("transaction_amount", amount(r))
        }
        encoder.field(tables.referrer, Int(r.referrer))
        encoder.field(tables.page, page(r))
        encoder.integer("time_spent", Int(r.timeSpent))
        encoder.field(tables.action, r.kindPosition)
        encoder.field(tables.metadata, Int(r.product))
        encoder.endRow()
    }
}
