import Testing
import StarlingChecks
import StarlingProject
@testable import StarlingSim
@testable import StarlingRun

/// A pipe that refuses to run without some parameters gets them in every planned combination, with
/// values that cover the data (windows still set their own bounds).
@Suite struct CheckPlannerRequiredTests {
    static let pipe = """
        NODE n
        SQL >
            %
            {% if not defined(date_from) %}{{ error('date_from and date_to are required') }}{% end %}
            SELECT store_id, count() AS visits FROM store_visits
            WHERE toDate(timestamp) >= {{Date(date_from, required=True)}} AND toDate(timestamp) <= {{Date(date_to, required=True)}}
              AND visitor_id = {{String(visitor_id, 'visitor_1')}}
            GROUP BY store_id ORDER BY visits DESC, store_id LIMIT {{Int32(limit, 10, required=True)}}

        TYPE endpoint
        """

    @Test func requiredParametersCoverTheDataInEveryCombination() throws {
        let spec = PipeSpec(try PipeFile(name: "by_store", path: "by_store.pipe", text: Self.pipe))
        var profile = DataProfile(columns: ["store_visits": ["visitor_id"]], timeColumns: ["store_visits": "timestamp"])
        let first: Int64 = 1_748_822_400  // 2025-06-02 00:00:00
        for (i, offset) in [0, 3600, 90_000, 2 * 86_400 + 5].enumerated() {
            let visit = StoreVisit(visit: i, store: 1, time: first + Int64(offset), visitor: i % 2, entryPoint: "main", exitPoint: "main", dwellSeconds: 60, tags: [])
            profile.add(datasource: "store_visits", .visit(visit))
        }
        let plan = CheckPlanner.plan(pipes: ["by_store"], specs: ["by_store": spec], profile: profile, seed: 1, budget: 40) { _ in "store_visits" }
        #expect(plan.count > 3)
        for check in plan {
            #expect(check.parameters["date_from"] == "2025-06-02", "\(check.purpose): \(check.parameters)")
            #expect(check.parameters["date_to"] == "2025-06-05", "\(check.purpose): \(check.parameters)")
            #expect(check.parameters["limit"] != nil, "\(check.purpose): \(check.parameters)")
        }
        #expect(plan.contains { $0.parameters["visitor_id"] != nil }, "other parameters still vary")
    }
}

@Suite struct CheckPlannerAbsentValueTests {
    @Test func aValueNeverSentIsANumberForAColumnOfNumbers() {
        #expect(Facets.absent("status_code", among: ["200", "0", "1", "404"]) == "2", "a UInt16 column refuses no_such_status_code")
        #expect(Facets.absent("user_id", among: ["user_1", "2"]) == "no_such_user_id")
        #expect(Facets.absent("level", among: []) == "no_such_level")
    }

    /// A query whose required parameter takes a value sent, before any was sent, is not asked (the
    /// pipe could only refuse it, a 400 of Starling's making); an optional one, a parameter with a
    /// value, or one the scenario fills with a constant, is asked.
    @Test func aRequiredParameterWithNothingSentYetLeavesTheQueryUnasked() throws {
        let spec = PipeSpec(try PipeFile(name: "by_store", path: "by_store.pipe", text: CheckPlannerRequiredTests.pipe))
        let query = QueryConfig(pipe: "by_store", rate: 1, parameters: [
            ("date_from", .windowStartDate), ("date_to", .windowEndDate), ("visitor_id", .seen(column: "visitor_id")),
        ])
        #expect(QueryDispatcher.missingRequired(query, drawn: [], spec: spec) == "date_from")
        #expect(QueryDispatcher.missingRequired(query, drawn: [("date_from", "2025-06-02"), ("date_to", "2025-06-03")], spec: spec) == nil,
                "visitor_id has a default: asked without it")
        let constant = QueryConfig(pipe: "by_store", rate: 1, parameters: [("date_from", .constant("2025-06-02"))])
        #expect(QueryDispatcher.missingRequired(constant, drawn: [], spec: spec) == nil, "not drawn from the values sent: the scenario's choice")
        #expect(QueryDispatcher.missingRequired(query, drawn: [], spec: nil) == nil, "no spec: nothing known to be required")
    }
}
