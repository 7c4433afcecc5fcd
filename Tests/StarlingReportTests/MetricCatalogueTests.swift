import Foundation
import StarlingRun
import StarlingSim
import Testing
@testable import StarlingReport

/// One definition per metric: thresholds and `compare` read the same value under the same name.
@Suite struct MetricCatalogueTests {
    @Test func thresholdsAndCompareReadTheSameValues() throws {
        let summary = try ReportFixture.summary()
        let compared = MetricCatalogue.compared(in: summary)
        #expect(!compared.isEmpty)
        for (name, metric) in compared {
            let threshold = try #require(Threshold(metric: name, condition: "< 1e12"))
            let result = try #require(ThresholdEvaluator.evaluate([threshold], summary: summary).first)
            #expect(result.value == metric.value, "\(name)")
        }
    }

    @Test func errorRateCountsFailedRequestsOverAllRequests() throws {
        // Ingest: 3 failed of 40 HTTP requests; queries: 0 failed of 1200. One formula everywhere.
        let summary = try ReportFixture.summary()
        let rate = try #require(MetricCatalogue.value("errors.rate", in: summary))
        #expect(abs(rate.value - 100 * 3.0 / 1240.0) < 1e-9)
        #expect(MetricCatalogue.compared(in: summary)["errors.rate"]?.value == rate.value)
    }

    @Test func oldNamesAreAliasesThatWarn() throws {
        let summary = try ReportFixture.summary()
        for (old, new) in [("ingest.rate.achieved", "ingest.achieved_rate"), ("ingest.lost_events", "ledger.undelivered"),
                           ("query.top_products.rate.achieved", "query.top_products.achieved_rate")] {
            let resolved = try #require(MetricCatalogue.resolve(old))
            #expect(resolved.name == new)
            #expect(resolved.warning?.contains(new) == true)
            #expect(MetricCatalogue.value(old, in: summary) == MetricCatalogue.value(new, in: summary))
            #expect(MetricCatalogue.value(new, in: summary) != nil)
        }
        #expect(MetricCatalogue.resolve("ingest.latency.p99.9")?.name == "ingest.latency.p999")
        #expect(MetricCatalogue.resolve("ingest.latency.p99.9")?.alias == nil)
        let warnings = try ThresholdEvaluator.review([try #require(Threshold(metric: "ingest.lost_events", condition: "== 0"))])
        #expect(warnings.count == 1)
        var tolerances = CompareTolerances()
        try tolerances.apply("ingest.rate.achieved=5%")
        #expect(tolerances.byMetric["ingest.achieved_rate"] == Tolerance(relative: 0.05, absolute: 0))
        #expect(tolerances.warnings.count == 1)
    }

    @Test func anUnknownMetricIsBadInputBeforeTheRun() throws {
        for typo in ["ingest.latncy.p99", "errors.rates", "query.top_products.latency.p97", "freshness"] {
            let threshold = try #require(Threshold(metric: typo, condition: "< 1s"))
            #expect(MetricCatalogue.resolve(typo) == nil, "\(typo)")
            #expect(throws: ScenarioError.self) { try ThresholdEvaluator.review([threshold]) }
        }
        // A well-formed name of a pipe the run did not query is not a typo, but has no value.
        let summary = try ReportFixture.summary()
        #expect(MetricCatalogue.resolve("query.no_such_pipe.latency.p99") != nil)
        let result = ThresholdEvaluator.evaluate([try #require(Threshold(metric: "query.no_such_pipe.latency.p99", condition: "< 1s"))], summary: summary)
        #expect(result.first?.passed == false)
        #expect(result.first?.reason?.contains("not measured") == true)
    }

    /// With no successful request the latency histogram is empty: its 0 is not a latency, and a
    /// threshold on it fails as not measured rather than passing.
    @Test func aLatencyWithoutSamplesIsNotMeasured() throws {
        var summary = try ReportFixture.summary()
        summary.streams["ingest"]?.count = 0
        summary.streams["ingest"]?.p99 = 0
        let threshold = try #require(Threshold(metric: "ingest.latency.p99", condition: "< 2s"))
        let result = try #require(ThresholdEvaluator.evaluate([threshold], summary: summary).first)
        #expect(!result.passed && result.value == nil && result.reason?.contains("no successful request") == true)
    }
}

/// Query cost: read per check after settling, summed per pipe, gated by `compare` per pipe and per
/// combination.
@Suite struct QueryCostCompareTests {
    static func run(_ rows: [String: Int64]) throws -> (folder: String, summary: RunSummary) {
        var s = try ReportFixture.summary()
        s.checks = rows.map { parameters, read in
            CheckResult(pipe: "visits_by_store", parameters: parameters, status: .passed,
                        cost: QueryCost(rowsRead: read, bytesRead: read * 10, elapsedMs: 2, queries: 1))
        }
        s.cost = PipeCost.summarize(s.checks) { _ in 200_000 }
        return ("run-\(rows.values.reduce(0, +))", s)
    }

    @Test func theSumAndTheWorstCombinationAreRead() throws {
        let s = try Self.run(["store_id=a": 20_000, "start_date=x": 100_000]).summary
        #expect(MetricCatalogue.value("cost.visits_by_store.rows_read", in: s)?.value == 120_000)
        #expect(MetricCatalogue.value("cost.visits_by_store.bytes_read", in: s)?.value == 1_200_000)
        #expect(MetricCatalogue.compared(in: s)["cost.visits_by_store.elapsed"] == nil)
        #expect(abs((s.cost?["visits_by_store"]?.readRatio ?? 0) - 0.3) < 1e-9)
    }

    @Test func aCombinationReadingManyTimesMoreIsARegressionEvenWhenTheSumIsNot() throws {
        // The id filter reads everything; the window reads less: the sum barely moves.
        let baseline = RunSet(summaries: [try Self.run(["store_id=a": 20_000, "start_date=x": 180_000])])
        let current = try Self.run(["store_id=a": 200_000, "start_date=x": 10_000])
        let c = Comparison(baseline: baseline, current: current, tolerances: CompareTolerances())
        let worst = try #require(c.rows.first { $0.name == "cost.visits_by_store.rows_read.worst_combination" })
        #expect(worst.verdict == .regression)
        #expect(worst.note?.contains("store_id=a") == true)
        #expect(c.rows.first { $0.name == "cost.visits_by_store.rows_read" }?.verdict == .unchanged)
        #expect(c.exitCode == 2)
    }

    @Test func theSameRowsOrLessThanAGranuleMoreAreNotFlagged() throws {
        let baseline = RunSet(summaries: [try Self.run(["store_id=a": 20_000, "start_date=x": 180_000])])
        for current in [["store_id=a": 20_000, "start_date=x": 180_000], ["store_id=a": 1000 + 20_000, "start_date=x": 180_000]] as [[String: Int64]] {
            let c = Comparison(baseline: baseline, current: try Self.run(current), tolerances: CompareTolerances())
            #expect(!c.rows.contains { $0.name.hasPrefix("cost.") && $0.verdict == .regression }, "\(current)")
        }
        // Tiny tables: 10 rows → 5000 rows is 500 ×, but less than one granule: the parts' layout.
        let small = RunSet(summaries: [try Self.run(["store_id=a": 10])])
        let c = Comparison(baseline: small, current: try Self.run(["store_id=a": 5000]), tolerances: CompareTolerances())
        #expect(c.rows.first { $0.name == "cost.visits_by_store.rows_read.worst_combination" }?.verdict == .unchanged)
    }
}
