import Foundation
import Testing
import StarlingChecks
import StarlingJSON
import StarlingSim

/// The oracles against the pipes' real SQL on the local target (chdb), and mutated copies of every
/// pipe that the checks must catch. One server for the suite (see `SharedLocalTarget`). Enabled
/// when STARLING_PYTHON names the local target's venv python
/// (`export STARLING_PYTHON=$(scripts/local-target/venv)`).
@Suite(.serialized, .sharedLocalTarget, .enabled(if: CheckTarget.python != nil, "set STARLING_PYTHON to the local target's venv python"))
struct DifferentialTests {
    static let datasources = ["store_visits", "ecommerce_events", "customer_touchpoints"]
    static let eventsPerDatasource = 10_000

    static func load(_ corpus: Corpus, into target: CheckTarget) async throws {
        for datasource in datasources { try await target.truncate(datasource) }
        try await target.ingest("store_visits", ndjson: Corpus.ndjson(corpus.visits))
        try await target.ingest("ecommerce_events", ndjson: Corpus.ndjson(corpus.commerce))
        try await target.ingest("customer_touchpoints", ndjson: Corpus.ndjson(corpus.touchpoints))
    }

    @Test("oracles agree with the pipes' SQL for 3 seeds × 10k events per datasource", .timeLimit(.minutes(5)))
    func oraclesAgreeWithSQL() async throws {
        let target = try CheckTarget.shared()
        var queries = 0
        var nonEmpty = 0
        for seed: UInt64 in [11, 22, 33] {
            let corpus = Corpus(seed: seed, events: Self.eventsPerDatasource)
            #expect(corpus.visits.count == Self.eventsPerDatasource)
            try await Self.load(corpus, into: target)
            let matrix = ParameterMatrix(corpus: corpus)
            for pipe in PipeOracles.pipes {
                for parameters in matrix.combinations(for: pipe) {
                    let expected = try corpus.expected(pipe, parameters)
                    if parameters == matrix.combinations(for: pipe).first {
                        #expect(!expected.isEmpty, "seed \(seed) \(pipe)?\(parameters): the oracle expects no rows")
                    }
                    let actual = try await target.query(pipe, parameters)
                    let diff = ResultComparison.diff(expected: expected, actual: actual)
                    #expect(diff == nil, "seed \(seed) \(pipe)?\(parameters):\n\(diff.map { "\($0)" } ?? "")")
                    queries += 1
                    if !expected.isEmpty { nonEmpty += 1 }
                }
            }
        }
        #expect(queries > 200)
        // Most combinations must select data, or agreement would prove little.
        #expect(nonEmpty * 10 >= queries * 8, "only \(nonEmpty) of \(queries) queries expect rows")
    }

    /// Products equal in cents but not as Float64 sums (10.1 × 3 = 30.299999999999997, 15.15 × 2 =
    /// 30.3): ClickHouse orders them by the floats, the oracle by cents then product_id; three such
    /// products straddle the LIMIT 10 cut. The comparison must accept the target's choice.
    @Test("top_products ties in cents compare in either order, also at the cut", .timeLimit(.minutes(2)))
    func topProductsTiesInCents() async throws {
        let target = try CheckTarget.shared()
        var sales: [CommerceEvent] = []
        for rank in 1...8 { sales.append(Fixtures.sale(.purchase, product: 100 + rank, price: Double(200 - rank))) }
        sales.append(Fixtures.sale(.purchase, product: 1, price: 10.1, quantity: 3))
        sales.append(Fixtures.sale(.purchase, product: 2, price: 15.15, quantity: 2))
        sales.append(Fixtures.sale(.purchase, product: 3, price: 6.06, quantity: 5))
        sales.append(Fixtures.sale(.purchase, product: 4, price: 1, quantity: 1))
        #expect(10.1 * 3 != 15.15 * 2 && ClickHouseMath.cents(10.1) * 3 == ClickHouseMath.cents(15.15) * 2)
        try await target.truncate("ecommerce_events")
        try await target.ingest("ecommerce_events", ndjson: Corpus.ndjson(sales))
        var oracle = try PipeOracles.make(pipe: "top_products")
        for sale in sales { oracle.consume(sale) }
        let actual = try await target.query("top_products", [:])
        let result = oracle.result()
        #expect(result.alternates.count == 1, "one of the three tied products is past the cut")
        let diff = ResultComparison.diff(expected: result, actual: actual)
        #expect(diff == nil, "\(diff.map { "\($0)" } ?? "")")
        // The case is real: compared row by row in the oracle's order, the answer would differ.
        #expect(ResultComparison.diff(expected: result.rows, actual: actual) != nil)
    }

    /// Set STARLING_CHECKS_EVENTS (e.g. 1000000) to check that many events per datasource, one seed,
    /// defaults and a 24-hour window for every pipe (`swift test -c release` advised).
    static let largeEvents = ProcessInfo.processInfo.environment["STARLING_CHECKS_EVENTS"].flatMap(Int.init)

    @Test("oracles agree with the pipes' SQL at STARLING_CHECKS_EVENTS events", .enabled(if: largeEvents != nil),
          .timeLimit(.minutes(30)))
    func largeRunAgrees() async throws {
        let target = try CheckTarget.shared()
        let events = try #require(Self.largeEvents)
        let window: PipeParameters = ["start_date": formatTimestamp(Corpus.start + 43_200), "end_date": formatTimestamp(Corpus.start + 129_600)]
        var checks: [(pipe: String, parameters: PipeParameters)] = []
        for pipe in PipeOracles.pipes {
            let base: PipeParameters = pipe == "customer_journey_details" ? ["customer_id": "cust_1"] : [:]
            checks.append((pipe, base))
            checks.append((pipe, PipeParameters(base.values.merging(window.values) { a, _ in a })))
        }
        var check = try StreamingCheck(target: target, seed: 55, events: events, checks: checks)
        let started = Date()
        try await check.run()
        let generated = Date()
        for oracle in check.oracles {
            #expect(oracle.unsupportedReason == nil)
            let expected = oracle.rows()
            #expect(!expected.isEmpty || !oracle.parameters.values.isEmpty, "\(oracle.pipe): the oracle expects no rows")
            let actual = try await target.query(oracle.pipe, oracle.parameters)
            let diff = ResultComparison.diff(expected: expected, actual: actual)
            #expect(diff == nil, "\(oracle.pipe)?\(oracle.parameters):\n\(diff.map { "\($0)" } ?? "")")
        }
        print("large differential: \(events) events per datasource, generate+oracles+ingest \(generated.timeIntervalSince(started)) s, "
            + "queries+compare \(Date().timeIntervalSince(generated)) s")
    }

    @Test("parameters the template rejects (400) are rejected by the oracles", .timeLimit(.minutes(5)),
          arguments: [
              ("visitor_details", PipeParameters(["start_date": "2025-03-03"])),
              ("journey_paths", PipeParameters(["end_date": "yesterday"])),
              ("visits_by_store", PipeParameters(["limit": "ten"])),
              ("journey_paths", PipeParameters(["min_count": "1.5"])),
              ("customer_journey_details", PipeParameters()),
          ])
    func invalidParameters(pipe: String, parameters: PipeParameters) async throws {
        let target = try CheckTarget.shared()
        let (status, _) = try await target.get(pipe, parameters)
        #expect(status == 400)
        #expect(throws: CheckError.self) { try PipeOracles.make(pipe: pipe, parameters: parameters) }
    }

    @Test("ClickHouseMath.round2 equals ClickHouse round(x, 2), ties included", .timeLimit(.minutes(5)))
    func roundMatchesClickHouse() async throws {
        var values: [Double] = (0..<400).map { Double($0) / 8 - 10 }
        values += [1.005, 2.675, 2.135, 0.285, 1.115, 1234.565, 100.0 / 3, 200.0 / 3, 10.5 / 4]
        values += (1..<60).map { Double($0 * 37) / 64 }
        let target = try CheckTarget.shared()
        let list = values.map { "\($0)" }.joined(separator: ",")
        let rows = try await target.sql("SELECT x, round(x, 2) AS r FROM (SELECT arrayJoin([\(list)]) AS x)")
        #expect(rows.count == values.count)
        for row in rows {
            guard let x = row["x"].flatMap(Self.double), let r = row["r"].flatMap(Self.double) else {
                Issue.record("bad row \(row)")
                continue
            }
            #expect(ClickHouseMath.round2(x) == r, "round(\(x), 2)")
        }
    }

    static func double(_ value: JSONValue) -> Double? {
        value.number
    }

    @Test("every mutated pipe is caught by its oracle", .timeLimit(.minutes(5)))
    func mutantsAreDetected() async throws {
        let target = try CheckTarget.shared()
        let corpus = Corpus(seed: 44, events: Self.eventsPerDatasource)
        try await Self.load(corpus, into: target)
        let matrix = ParameterMatrix(corpus: corpus)
        for mutation in Mutants.all {
            let parameters = matrix.combinations(for: mutation.pipe)[0]
            let expected = try corpus.expected(mutation.pipe, parameters)
            let original = try await target.query(mutation.pipe, parameters)
            #expect(ResultComparison.diff(expected: expected, actual: original) == nil, "\(mutation.pipe) itself differs")
            let mutant = try await target.query("\(mutation.pipe)_mutant", parameters)
            #expect(ResultComparison.diff(expected: expected, actual: mutant) != nil,
                    "\(mutation.pipe) mutated (\(mutation.what)) was not detected")
        }
    }
}
