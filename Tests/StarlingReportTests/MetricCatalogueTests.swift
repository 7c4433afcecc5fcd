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
}
