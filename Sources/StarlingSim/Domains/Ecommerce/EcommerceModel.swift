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
    }

    public var peakSessionsPerSecond: Double { config.sessionsPerHour / 3600 }

    public func intensity(at t: Int64) -> Double { config.dailyCurve.intensity(at: t) }

    /// The user's country: a function of the user alone.
    public func country(ofUser user: Int) -> String {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("user"), index: UInt64(user))
        return config.countries[countryChoice.sample(using: &rng)].0
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [CommerceEvent]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("session"), index: UInt64(index))
        let user = userChoice.sample(using: &rng)
        let country = country(ofUser: user)
        var time = start
        var first = true
        func emit(_ kind: CommerceEvent.Kind, product: Int, quantity: Int, rng: inout Xoshiro256) {
            if !first { time += 1 + Int64(Distribution.exponential(mean: config.eventGapSeconds, using: &rng)) }
            first = false
            events.append(CommerceEvent(
                time: time, kind: kind, user: user + 1, product: product + 1,
                category: config.categories[productCategory[product]].name, price: productPrice[product],
                quantity: quantity, session: index + 1, country: country))
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
}
