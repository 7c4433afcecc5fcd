extension JourneyModel {
    /// Every categorical value a touchpoint can carry, encoded once per column (`FieldValues`), and
    /// the generator's choices (an ad channel, an origin, a device…) mapped to their indexes there.
    /// A `TouchpointRecord` holds those indexes; its strings are only ever looked up, never built.
    struct Tables: Sendable {
        /// `touchpoint_type` and `action`, by `TouchpointKind.position`.
        let kind, action: FieldValues
        let channel, device, referrer, page: FieldValues
        /// "" (no campaign), then `campaignNames`.
        let campaign: FieldValues
        /// Per product, its JSON object.
        let metadata: FieldValues
        /// `conversion` and `transaction_amount` of every touchpoint but a purchase: 0 and 0.00.
        let noSale: FieldValues

        /// Channel indexes: of each ad channel, of each origin (`direct` is `direct`; for a return
        /// origin, `adOrigin` stands for the journey's ad channel) and of the fixed channels.
        let adChannels, siteOrigins, returnOrigins: [Int32]
        let email, social, search, direct, mobileApp, website: Int32
        /// The referrers of channel `c`: `referrerList[referrerStart[c]..<referrerStart[c + 1]]`
        /// (none: the referrer is `directReferrer`, and no draw is made).
        let referrerStart, referrerList: [Int32]
        let directReferrer: Int32
        /// Per device: is it `desktop`.
        let desktop: [Bool]
        /// Page indexes: products first (product `p` is page `p`), then these.
        let categoryPages, searchPages, campaignPages, home, support, cart, checkout, complete: Int32

        /// Stands for "the journey's ad channel" among the return origins' indexes.
        static let adOrigin: Int32 = -1
        /// Stands for "an email" (a cart reminder after an abandoned cart, else the newsletter).
        static let emailOrigin: Int32 = -2

        init(config: JourneyConfig, campaignNames: [String], productMetadata: [EncodedText]) {
            let kinds = TouchpointKind.allCases
            kind = FieldValues(key: "touchpoint_type", values: kinds.map(\.rawValue))
            action = FieldValues(key: "action", values: kinds.map(\.action))

            // Every name a channel can take, each once, in a fixed order.
            var names: [String] = []
            var index: [String: Int32] = [:]
            func code(_ name: String) -> Int32 {
                if let known = index[name] { return known }
                index[name] = Int32(names.count)
                names.append(name)
                return Int32(names.count - 1)
            }
            adChannels = config.adChannels.map { code($0.0) }
            (email, social, search) = (code("email"), code("social"), code("search"))
            (direct, mobileApp, website) = (code("direct"), code("mobile_app"), code("website"))
            siteOrigins = config.siteOrigins.map { code($0.0) }
            returnOrigins = config.returnOrigins.map { $0.0 == "ad" ? Self.adOrigin : $0.0 == "email" ? Self.emailOrigin : code($0.0) }
            channel = FieldValues(key: "channel", values: names)

            var referrers = ["direct"]
            var start: [Int32] = [0], list: [Int32] = []
            for name in names {
                for referrer in JourneyModel.referrers[name] ?? [] {
                    if !referrers.contains(referrer) { referrers.append(referrer) }
                    list.append(Int32(referrers.firstIndex(of: referrer) ?? 0))
                }
                start.append(Int32(list.count))
            }
            (referrerStart, referrerList, directReferrer) = (start, list, 0)
            referrer = FieldValues(key: "referrer", values: referrers)

            device = FieldValues(key: "device", values: config.devices.map(\.0))
            desktop = config.devices.map { $0.0 == "desktop" }
            campaign = FieldValues(key: "campaign_id", values: [""] + campaignNames)
            metadata = FieldValues(key: "metadata", encoded: productMetadata)
            noSale = FieldValues(texts: ["0, 0.00"],
                                 json: { (encoder: inout NDJSONEncoder, _: Int) in
                                     encoder.integer("conversion", 0)
                                     encoder.decimal2("transaction_amount", 0)
                                 },
                                 csv: { (encoder: inout CSVEncoder, _: Int) in
                                     encoder.integer("conversion", 0)
                                     encoder.decimal2("transaction_amount", 0)
                                 })

            let site = JourneyModel.site
            var pages = (0..<config.products).map { "\(site)/products/prod_\($0 + 1)" }
            categoryPages = Int32(pages.count)
            pages += config.categories.map { "\(site)/category/\($0.slug)" }
            searchPages = Int32(pages.count)
            pages += config.categories.map { "\(site)/search?q=\($0.slug)" }
            campaignPages = Int32(pages.count)
            pages += campaignNames.map { "\(site)/landing/\($0)" }
            home = Int32(pages.count)
            support = home + 1
            cart = home + 2
            checkout = home + 3
            complete = home + 4
            pages += ["\(site)/", "\(site)/support", "\(site)/cart", "\(site)/checkout", "\(site)/checkout/complete"]
            page = FieldValues(key: "page_url", values: pages)
        }
    }

    /// Where the visitor came from, for each channel (by name): one is drawn at random.
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
