import Foundation
import StarlingJSON

/// The products every stream of a scenario sells: ids, one category and one price each, and a
/// popularity with a long tail whose rank is independent of the id (product 1 is not the best
/// seller). Drawn from the scenario's population seed, so e-commerce and journeys that configure the
/// same catalogue (the defaults do) agree on every product.
public struct Catalogue: Sendable {
    public struct Category: Equatable, Sendable {
        public var name: String
        public var weight: Double
        /// Prices in the category are log-normal around this median.
        public var medianPrice: Double
        public var priceSigma: Double

        public init(name: String, weight: Double, medianPrice: Double, priceSigma: Double) {
            self.name = name
            self.weight = weight
            self.medianPrice = medianPrice
            self.priceSigma = priceSigma
        }

        /// The category's form in a URL path: lower case, words joined by '-' ("home-kitchen").
        public var slug: String {
            name.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "-")
        }
    }

    public static let defaultCategories: [Category] = [
        Category(name: "Electronics", weight: 0.18, medianPrice: 120, priceSigma: 0.8),
        Category(name: "Books", weight: 0.16, medianPrice: 15, priceSigma: 0.45),
        Category(name: "Clothing", weight: 0.20, medianPrice: 35, priceSigma: 0.6),
        Category(name: "Home & Kitchen", weight: 0.14, medianPrice: 45, priceSigma: 0.7),
        Category(name: "Sports", weight: 0.10, medianPrice: 40, priceSigma: 0.7),
        Category(name: "Beauty", weight: 0.10, medianPrice: 22, priceSigma: 0.5),
        Category(name: "Toys", weight: 0.07, medianPrice: 25, priceSigma: 0.6),
        Category(name: "Grocery", weight: 0.05, medianPrice: 8, priceSigma: 0.5),
    ]
    public static let defaultProducts = 2_000
    public static let defaultPopularityExponent = 0.8

    public let categories: [Category]
    /// Per product (0-based index: id `prod_<index+1>`), its category's index and its price.
    public let category: [Int]
    public let price: [Double]
    /// Draws a product index by popularity.
    let popularity: AliasTable

    public init(products: Int, categories: [Category], popularityExponent: Double, populationSeed: UInt64) {
        self.categories = categories
        let categoryChoice = CumulativeChoice(weights: categories.map(\.weight))
        var category: [Int] = [], price: [Double] = []
        category.reserveCapacity(products)
        price.reserveCapacity(products)
        for p in 0..<products {
            var rng = Xoshiro256(seed: populationSeed, stream: StreamTag("product"), index: UInt64(p))
            let c = categoryChoice.choose(rng.unit())
            let drawn = Distribution.logNormal(median: categories[c].medianPrice, sigma: categories[c].priceSigma, using: &rng)
            category.append(c)
            price.append(max(0.5, (drawn * 100).rounded() / 100))
        }
        self.category = category
        self.price = price
        // Ranks are a random permutation of the ids (Fisher–Yates), the weights Zipf by rank.
        var rank = Array(0..<products)
        var rng = Xoshiro256(seed: populationSeed, stream: StreamTag("product-rank"), index: 0)
        for i in stride(from: products - 1, to: 0, by: -1) { rank.swapAt(i, rng.below(i + 1)) }
        popularity = AliasTable(weights: rank.map { 1 / pow(Double($0 + 1), popularityExponent) })
    }

    public var count: Int { price.count }

    @inline(__always)
    func sample(using rng: inout Xoshiro256) -> Int { popularity.sample(using: &rng) }
}

extension Catalogue {
    /// `"categories"`: name → a weight, or an object `{"weight", "median_price", "price_sigma"}`.
    static func readCategories(_ reader: inout ObjectReader, default fallback: [Category]) throws(ScenarioError) -> [Category] {
        guard var object = try reader.object("categories") else { return fallback }
        var parsed: [Category] = []
        for name in object.keys {
            guard let value = object.value(name) else { continue }
            let path = object.childPath(name)
            if let weight = value.number {
                guard weight >= 0 else { throw .invalidValue(path: path, expected: "a weight ≥ 0 or an object", found: value.summary) }
                parsed.append(Category(name: name, weight: weight, medianPrice: 30, priceSigma: 0.6))
                continue
            }
            var category = try ObjectReader(value, path: path)
            parsed.append(Category(
                name: name,
                weight: try category.double("weight", default: 1, in: 0...1e9),
                medianPrice: try category.double("median_price", default: 30, in: 0.01...1e7),
                priceSigma: try category.double("price_sigma", default: 0.6, in: 0...3)))
            try category.finish()
        }
        try object.finish()
        guard parsed.contains(where: { $0.weight > 0 }) else {
            throw .invalidValue(path: object.path, expected: "at least one category with weight > 0", found: "none")
        }
        return parsed
    }
}
