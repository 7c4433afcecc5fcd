import StarlingChecks
import StarlingRun
import StarlingSim

/// `top_products` and `total_revenue` return `sum(price * quantity)` of Float64s: its last bits
/// depend on the order of the additions (0.1 + 0.2 ≠ 0.3), so the oracles' exact cents, converted
/// once, can differ from what the target prints (319.55 vs 319.54999999999995). An exact `tb test`
/// needs the target's order: a fixture loaded by one insert into one part (one month; measured
/// exact on the local target up to 33k rows, several granules) is read in its sorting key order, `event_time, product_id`, ties in insertion
/// order, and each group's sum adds its rows one by one in that order.
struct RevenueSumStorageOrder {
    struct Purchase {
        var time: Int64
        var productID: String
        var amount: Double
        var sequence: Int
    }

    private var purchases: [Purchase] = []

    mutating func consume(_ event: CommerceEvent) {
        guard event.kind == .purchase else { return }
        // The price as the target parsed its two-decimal text, times the Int64 quantity as Float64.
        let price = ClickHouseMath.amount(cents: ClickHouseMath.cents(event.price))
        purchases.append(Purchase(time: event.time, productID: event.productID, amount: price * Double(event.quantity), sequence: purchases.count))
    }

    /// Each group's sum, added in storage order.
    func sums<Key: Hashable>(by key: (Purchase) -> Key) -> [Key: Double] {
        let ordered = purchases.sorted { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.productID != b.productID { return a.productID.utf8.lexicographicallyPrecedes(b.productID.utf8) }
            return a.sequence < b.sequence
        }
        var result: [Key: Double] = [:]
        for purchase in ordered { result[key(purchase), default: 0] += purchase.amount }
        return result
    }

    /// The oracle's rows of `pipe` with `total_revenue` summed in storage order; `top_products`
    /// re-sorted by it (`total_revenue DESC, product_id ASC`). A sum that strays from the oracle's
    /// exact value by more than rounding leaves the row as it was.
    func ordered(_ rows: [ExpectedRow], pipe: String) -> [ExpectedRow] {
        let keyColumn: String
        let sums: [String: Double]
        switch pipe {
        case "top_products":
            keyColumn = "product_id"
            sums = self.sums { $0.productID }
        case "total_revenue":
            keyColumn = "time_bin"
            sums = self.sums { formatTimestamp($0.time - (($0.time % 900) + 900) % 900) }
        default:
            return rows
        }
        var result = rows.map { row -> ExpectedRow in
            var row = row
            guard let index = row.columns.firstIndex(where: { $0.name == "total_revenue" }),
                  case .float(let exact) = row.columns[index].value, let key = Self.key(row[keyColumn]),
                  let sum = sums[key], abs(sum - exact) <= 1e-9 * max(1, abs(exact)) else { return row }
            row.columns[index].value = .float(sum)
            return row
        }
        if pipe == "top_products" {
            result.sort { a, b in
                guard case .float(let x)? = a["total_revenue"], case .float(let y)? = b["total_revenue"] else { return false }
                if x != y { return x > y }
                return (Self.key(a["product_id"]) ?? "").utf8.lexicographicallyPrecedes((Self.key(b["product_id"]) ?? "").utf8)
            }
        }
        return result
    }

    static func key(_ value: ExpectedValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .dateTime(let t)?: return formatTimestamp(t)
        default: return nil
        }
    }
}
