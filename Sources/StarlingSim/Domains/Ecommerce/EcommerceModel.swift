/// An online shop: users with a fixed country start sessions along the daily curve; a session views
/// popular products (Zipf), adds some to the cart, may remove some, and may buy what is left.
/// Every product has one category and one stable price.
public struct EcommerceModel: DomainModel {
    public static let datasource = "ecommerce_events"

    public let config: EcommerceConfig
    let seed: UInt64
    let productCategory: [Int]
    let productPrice: [Double]
    let productChoice: Zipf
    let userChoice: Zipf
    let countryChoice: AliasTable
    let quantityChoice: AliasTable
    /// A session's cart and the lines it keeps, reused from session to session (no allocation per
    /// session); empty between sessions, so they are not state a shard could disagree on.
    var cart: [(product: Int, quantity: Int)] = []
    var kept: [(product: Int, quantity: Int)] = []
    /// `event_type` (by `Kind.position`), `category` (by category) and `country`, encoded once.
    let kindField, categoryField, countryField: FieldValues

    public init(config: EcommerceConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        let categoryChoice = AliasTable(weights: config.categories.map(\.weight))
        var categories: [Int] = []
        var prices: [Double] = []
        for p in 0..<config.products {
            var rng = Xoshiro256(seed: seed, stream: StreamTag("product"), index: UInt64(p))
            let c = categoryChoice.sample(using: &rng)
            let category = config.categories[c]
            let price = Distribution.logNormal(median: category.medianPrice, sigma: category.priceSigma, using: &rng)
            categories.append(c)
            prices.append(max(0.5, (price * 100).rounded() / 100))
        }
        productCategory = categories
        productPrice = prices
        productChoice = Zipf(count: config.products, exponent: config.productZipf)
        userChoice = Zipf(count: config.users, exponent: config.userZipf)
        countryChoice = AliasTable(weights: config.countries.map(\.1))
        quantityChoice = AliasTable(weights: config.quantityWeights)
        kindField = FieldValues(key: "event_type", values: CommerceEvent.Kind.allCases.map(\.rawValue))
        categoryField = FieldValues(key: "category", values: config.categories.map(\.name))
        countryField = FieldValues(key: "country", values: config.countries.map(\.0))
    }

    public var peakSessionsPerSecond: Double { config.sessionsPerHour / 3600 }

    public func intensity(secondOfDay: Int, weekend: Bool) -> Double {
        config.dailyCurve.intensity(secondOfDay: secondOfDay, weekend: weekend)
    }

    /// The user's country: a function of the user alone.
    public func country(ofUser user: Int) -> String {
        config.countries[countryIndex(ofUser: user)].0
    }

    @inline(__always)  // called from the mutating `session`, an outlined call took a copy of the model
    func countryIndex(ofUser user: Int) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("user"), index: UInt64(user))
        return countryChoice.sample(using: &rng)
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [CommerceRecord]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("session"), index: UInt64(index))
        let user = userChoice.sample(using: &rng)
        let country = Int32(truncatingIfNeeded: countryIndex(ofUser: user))
        var time = start
        var first = true
        func emit(_ kind: CommerceEvent.Kind, product: Int, quantity: Int, rng: inout Xoshiro256) {
            if !first { time += 1 + Int64(Distribution.exponential(mean: config.eventGapSeconds, using: &rng)) }
            first = false
            events.append(CommerceRecord(
                time: time, user: user + 1, product: product, quantity: quantity, session: index + 1, country: country, kind: kind))
        }

        // Taken out of the model while the session runs (unique, so appends reuse their storage).
        var cart: [(product: Int, quantity: Int)] = []
        var kept: [(product: Int, quantity: Int)] = []
        swap(&cart, &self.cart)
        swap(&kept, &self.kept)
        defer {
            cart.removeAll(keepingCapacity: true)
            kept.removeAll(keepingCapacity: true)
            swap(&cart, &self.cart)
            swap(&kept, &self.kept)
        }
        for _ in 0..<Distribution.geometric(mean: config.viewsPerSession, using: &rng) {
            let product = productChoice.sample(using: &rng)
            emit(.view, product: product, quantity: 1, rng: &rng)
            if rng.unit() < config.addToCartRate {
                let quantity = quantityChoice.sample(using: &rng) + 1
                emit(.addToCart, product: product, quantity: quantity, rng: &rng)
                if let line = cart.firstIndex(where: { $0.product == product }) {
                    cart[line].quantity += quantity
                } else {
                    cart.append((product, quantity))
                }
            }
        }
        for line in cart {
            if rng.unit() < config.removeFromCartRate {
                emit(.removeFromCart, product: line.product, quantity: line.quantity, rng: &rng)
            } else {
                kept.append(line)
            }
        }
        if !kept.isEmpty, rng.unit() < config.purchaseRate {
            for line in kept { emit(.purchase, product: line.product, quantity: line.quantity, rng: &rng) }
        }
        return user
    }

    public func event(_ r: CommerceRecord) -> CommerceEvent {
        CommerceEvent(
            time: r.time, kind: r.kind, user: r.user, product: r.product + 1,
            category: config.categories[productCategory[r.product]].name, price: productPrice[r.product],
            quantity: r.quantity, session: r.session, country: config.countries[Int(r.country)].0)
    }

    /// `CommerceEvent.encode`'s fields, the event type, category and country copied pre-encoded.
    @inline(__always)  // into `DatasourceStream.encodeNextRow`, where the model is then used in place, not copied
    public func encode(_ r: CommerceRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.timestamp("event_time", timestamp ?? r.time)
        encoder.field(kindField, r.kind.position)
        encoder.prefixedID("user_id", "user_", r.user)
        encoder.prefixedID("product_id", "prod_", r.product + 1)
        encoder.field(categoryField, productCategory[r.product])
        encoder.decimal2("price", productPrice[r.product])
        encoder.integer("quantity", r.quantity)
        encoder.prefixedID("session_id", "session_", r.session)
        encoder.field(countryField, Int(r.country))
        encoder.endRow()
    }
}
