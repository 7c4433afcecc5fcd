import StarlingChecks
import StarlingSim
import Testing

@Suite struct CommerceOracleTests {
    @Test func topProductsSumsPurchasesOnlyAndCutsAtTen() throws {
        var events = (1...12).map { Fixtures.sale(.purchase, product: $0, price: Double($0), quantity: 2) }
        events.append(Fixtures.sale(.view, product: 1, price: 1_000))
        events.append(Fixtures.sale(.purchase, product: 1, price: 0.105, quantity: 3))
        let rows = try Fixtures.rows("top_products", commerce: events)
        #expect(rows.count == 10)
        #expect(rows.first?["product_id"] == .string("prod_12"))
        #expect(rows.first?["total_revenue"] == .float(24))
        // prod_1 is not in the top 10; prod_3 is the last (revenue 6).
        #expect(rows.last?["product_id"] == .string("prod_3"))
        let cents = try Fixtures.rows("top_products", commerce: [Fixtures.sale(.purchase, product: 1, price: 0.125, quantity: 3)])
        // The generator writes 0.125 as "0.13" (half away from zero), so revenue is 0.39.
        #expect(cents.first?["total_revenue"] == .float(0.39))
        #expect(cents.first?["total_quantity"] == .integer(3))
    }

    @Test func eventsByCountryCountsAllTypes() throws {
        let events = [
            Fixtures.sale(.view, product: 1, price: 1, country: "UK"),
            Fixtures.sale(.purchase, product: 1, price: 1, country: "Spain"),
            Fixtures.sale(.addToCart, product: 1, price: 1, country: "Spain"),
            Fixtures.sale(.view, product: 1, price: 1, country: "Brazil"),
        ]
        let rows = try Fixtures.rows("events_by_country", commerce: events)
        #expect(Fixtures.column(rows, "country") == [.string("Spain"), .string("Brazil"), .string("UK")])
        #expect(Fixtures.column(rows, "event_count") == [.integer(2), .integer(1), .integer(1)])
    }

    @Test func totalRevenueBinsByQuarterHour() throws {
        let events = [
            Fixtures.sale(.purchase, product: 1, price: 10, quantity: 2, at: 0),
            Fixtures.sale(.purchase, product: 2, price: 5, at: 899),
            Fixtures.sale(.purchase, product: 2, price: 5, at: 900),
            Fixtures.sale(.view, product: 2, price: 5, at: 2_000),
        ]
        let rows = try Fixtures.rows("total_revenue", commerce: events)
        #expect(Fixtures.column(rows, "time_bin") == [.dateTime(Fixtures.t0), .dateTime(Fixtures.t0 + 900)])
        #expect(Fixtures.column(rows, "total_revenue") == [.float(25), .float(5)])
    }
}
