import StarlingChecks
import StarlingSim
import Testing

@Suite struct StoreVisitOracleTests {
    let visits = [
        Fixtures.visit(1, store: 1, at: 0, dwell: 100, entry: "side door", tags: ["a"]),
        Fixtures.visit(2, store: 2, at: 3_600, dwell: 200),
        Fixtures.visit(1, store: 1, at: 3_700, dwell: 301, tags: ["a"]),
        Fixtures.visit(10, store: 2, at: 7_200, dwell: 50),
        Fixtures.visit(1, store: 2, at: 7_200, dwell: 1, tags: ["b", "a"]),
    ]

    @Test func visitorDetailsAggregatesAndOrders() throws {
        let rows = try Fixtures.rows("visitor_details", visits: visits)
        // last_visit DESC, then visitor_id ASC bytewise: visitor_1 (7200) < visitor_10 (7200), then visitor_2.
        #expect(Fixtures.column(rows, "visitor_id") == [.string("visitor_1"), .string("visitor_10"), .string("visitor_2")])
        let first = try #require(rows.first)
        #expect(first["total_visits"] == .integer(3))
        #expect(first["first_visit"] == .dateTime(Fixtures.t0))
        #expect(first["avg_dwell_time"] == .float(134))
        guard case .multiset(let stores)? = first["visited_stores"] else { Issue.record("not a multiset"); return }
        #expect(stores.sorted { $0.rendered < $1.rendered } == [.string("store_1"), .string("store_1"), .string("store_2")])
        guard case .multiset(let tags)? = first["visit_tags"] else { Issue.record("not a multiset"); return }
        #expect(Set(tags) == [.array([.string("a")]), .array([.string("b"), .string("a")])] && tags.count == 3)
    }

    @Test func visitorDetailsFilters() throws {
        #expect(try Fixtures.rows("visitor_details", ["limit": "1"], visits: visits).count == 1)
        let one = try Fixtures.rows("visitor_details", ["visitor_id": "visitor_2"], visits: visits)
        #expect(Fixtures.column(one, "total_visits") == [.integer(1)])
        let window = try Fixtures.rows("visitor_details", ["start_date": Fixtures.time(3_600), "end_date": Fixtures.time(3_700)], visits: visits)
        #expect(Fixtures.column(window, "visitor_id") == [.string("visitor_1"), .string("visitor_2")])
        #expect(throws: CheckError.invalidParameter(pipe: "visitor_details", name: "limit", value: "x", expected: "an Int32 integer")) {
            try Fixtures.rows("visitor_details", ["limit": "x"])
        }
    }

    @Test func hourlyTrafficPatterns() throws {
        let rows = try Fixtures.rows("hourly_traffic_patterns", visits: visits)
        #expect(Fixtures.column(rows, "hour_of_day") == [.integer(0), .integer(1), .integer(2)])
        #expect(Fixtures.column(rows, "visit_count") == [.integer(1), .integer(2), .integer(2)])
        #expect(Fixtures.column(rows, "unique_visitors") == [.integer(1), .integer(2), .integer(2)])
        #expect(Fixtures.column(rows, "avg_dwell_time") == [.rounded2(100), .rounded2(250.5), .rounded2(25.5)])
        let store1 = try Fixtures.rows("hourly_traffic_patterns", ["store_id": "store_1"], visits: visits)
        #expect(Fixtures.column(store1, "visit_count") == [.integer(1), .integer(1)])
    }

    @Test func visitsByStore() throws {
        let rows = try Fixtures.rows("visits_by_store", visits: visits)
        #expect(Fixtures.column(rows, "store_id") == [.string("store_2"), .string("store_1")])
        #expect(rows[0]["total_dwell_time"] == .integer(251))
        #expect(rows[0]["unique_visitors"] == .integer(3))
        #expect(rows[0]["first_visit"] == .dateTime(Fixtures.t0 + 3_600))
        #expect(rows[1]["avg_dwell_time"] == .rounded2(200.5))
        #expect(try Fixtures.rows("visits_by_store", ["limit": "1"], visits: visits).count == 1)
        let last = try Fixtures.rows("visits_by_store", ["limit": "-1"], visits: visits)
        #expect(Fixtures.column(last, "store_id") == [.string("store_1")])
        #expect(try Fixtures.rows("visits_by_store", ["end_date": Fixtures.time(0)], visits: visits).count == 1)
    }
}
