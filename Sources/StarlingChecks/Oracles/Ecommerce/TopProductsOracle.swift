import StarlingSim

/// `top_products`: over purchases, per product, sum(quantity) and sum(price × quantity); the 10
/// highest revenues, product_id ASC on ties. Revenue is summed exactly in integer cents. The pipe
/// sorts by the unrounded Float64 sum, so products equal in cents may come in either order, and at
/// the cut either may be kept: `result()` says so.
public struct TopProductsOracle: PipeOracle {
    public static let pipe = "top_products"
    public static let datasource = "ecommerce_events"
    static let limit = 10

    var products: [Int: (quantity: Int64, cents: Int64)] = [:]
    var purchases: [Int: Int] = [:]
    /// Products with a view or cart event (the purchase filter must leave those never bought out).
    var browsed: Set<Int> = []

    public init(parameters: PipeParameters) throws(CheckError) {}

    public mutating func consume(_ event: CommerceEvent) {
        guard event.kind == .purchase else {
            browsed.insert(event.product)
            return
        }
        purchases[event.product, default: 0] += 1
        let quantity = Int64(event.quantity)
        products[event.product, default: (0, 0)].quantity += quantity
        products[event.product, default: (0, 0)].cents += ClickHouseMath.cents(event.price) * quantity
    }

    public func rows() -> [ExpectedRow] { result().rows }

    public func result() -> ExpectedResult {
        let sorted = products.map { (id: "prod_\($0.key)", totals: $0.value) }
            .rankedDescending(by: \.totals.cents, thenBy: \.id)
        let ranked = sorted.map { id, totals in
            (row: ExpectedRow([
                .init("product_id", .string(id)),
                .init("total_quantity", .integer(totals.quantity)),
                .init("total_revenue", .float(ClickHouseMath.amount(cents: totals.cents))),
            ]), key: totals.cents)
        }
        return .ranked(ranked, limit: RowLimit(Self.limit))
    }
}

extension TopProductsOracle {
    public func coverage() -> [String: Int] {
        [
            "products tied in revenue (equal cents)": Coverage.tied(products.values.map(\.cents)),
            "a tie in revenue at the LIMIT cut": result().alternates.count,
            "a product bought in several purchases": purchases.values.filter { $0 > 1 }.count,
            "a product viewed or carted but never bought": browsed.subtracting(products.keys).count,
        ]
    }
}
