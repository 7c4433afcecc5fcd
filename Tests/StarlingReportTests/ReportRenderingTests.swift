import Foundation
import FoundationXML
import StarlingMetrics
import StarlingRun
import Testing
@testable import StarlingReport

@Suite struct MarkdownReportTests {
    @Test func showsVerdictLedgerStreamsFreshnessChecksAndThresholds() throws {
        let md = MarkdownReport.render(try ReportFixture.input())
        #expect(md.contains("❌ failed"))
        #expect(md.contains("| 1\u{202F}000 | 990 | 4 | 2 | 3 | 1 | yes |"))
        #expect(md.contains("| ingest | 1\u{202F}000 | 3 | 200 | 199 | 10.00 | 20.00 | 40.00 | 60.00 | 70.00 |"))
        #expect(md.contains("| query.top_products | 600 | 0 | 120 | 120 | 5.00 |"))
        #expect(md.contains("| from intended send | 250.0 | 400.0 | 600.0 | 600.0 | 600.0 |"))
        #expect(md.contains("1 passed, 1 failed, 1 skipped; the data exercised 2 of the 3 rare cases"))
        #expect(md.contains("| top_products | 1 | 0 | 0 | 1 of 2 | a tie in revenue at the LIMIT cut |"))
        #expect(md.contains("| events_by_country | 0 | 1 | 0 | 1 of 1 | – |"))
        #expect(md.contains("| errors.rate | &lt; 0.1% | 0.300 | ❌ failed |"))
    }

    @Test func escapesTableCells() throws {
        let md = MarkdownReport.render(try ReportFixture.input())
        #expect(md.contains("a=1\\|b=&lt;2>"))
        #expect(!md.contains("| a=1|b"))
    }

    @Test func saysWhenThereAreNoProbesChecksOrThresholds() throws {
        var input = try ReportFixture.input()
        (input.summary.freshness, input.summary.checks, input.summary.thresholds) = (nil, [], [])
        let md = MarkdownReport.render(input)
        #expect(md.contains("No freshness probes in this run."))
        #expect(md.contains("No correctness checks ran."))
        #expect(md.contains("✅ passed"))
    }
}

@Suite struct JUnitReportTests {
    @Test func parsesBackWithOneCasePerThresholdAndCheck() throws {
        let xml = JUnitReport.render(try ReportFixture.summary())
        let document = try XMLDocument(xmlString: xml)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "6")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        #expect(root.attribute(forName: "skipped")?.stringValue == "1")
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.count == 6)
        let failed = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "events_by_country?a=1|b=<2>" })
        let failure = try #require(failed.elements(forName: "failure").first)
        #expect(failure.attribute(forName: "message")?.stringValue == "row 3 differs")
        #expect(failure.stringValue == "expected <FR, 10> & got <FR, 9>")
        let skipped = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "visitor_details" })
        #expect(skipped.elements(forName: "skipped").first?.attribute(forName: "message")?.stringValue == "shared datasource: not isolated")
        let threshold = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "errors.rate < 0.1%" })
        #expect(threshold.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue == "errors.rate = 0.300, expected < 0.1%")
        #expect(root.attribute(forName: "name")?.stringValue == "starling.fixture <&> \"run\"")
    }

    @Test func anInvalidRunFailsItsValidityCase() throws {
        var summary = try ReportFixture.summary()
        (summary.valid, summary.invalidReasons, summary.checks, summary.thresholds) = (false, ["schedule fell behind"], [], [])
        let document = try XMLDocument(xmlString: JUnitReport.render(summary))
        let failures = try document.nodes(forXPath: "//testcase/failure").compactMap { $0 as? XMLElement }
        #expect(failures.map(\.stringValue) == ["schedule fell behind"])
    }
}

@Suite struct HTMLReportTests {
    /// Attributes or CSS that would make a browser fetch something.
    static let loaders = ["src=", "href=", "xlink:href", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object", "<embed", "<image"]

    @Test func isSelfContainedWithOneSVGPerChart() throws {
        let input = try ReportFixture.input()
        let html = HTMLReport.render(input)
        for loader in Self.loaders { #expect(!html.lowercased().contains(loader), "found \(loader)") }
        // The only URL text is the target, shown as text, never in an attribute.
        #expect(html.components(separatedBy: "http").count - 1 == 1)
        #expect(html.contains("<code>http://127.0.0.1:7181</code>"))
        // spectrum + ingest rate + query rate + freshness + one latency-over-time chart per stream (3)
        #expect(html.components(separatedBy: "<svg").count - 1 == 7)
        #expect(html.components(separatedBy: "</svg>").count - 1 == 7)
        #expect(html.contains("<polyline"))
        #expect(html.contains("fixture &lt;&amp;&gt; &quot;run&quot;"))
        #expect(!html.contains("No freshness probes in this run."))
    }

    @Test func saysSoWithoutFreshnessProbes() throws {
        var input = try ReportFixture.input()
        input.summary.freshness = nil
        let html = HTMLReport.render(input)
        #expect(html.contains("No freshness probes in this run."))
        #expect(html.components(separatedBy: "<svg").count - 1 == 6)
    }

    @Test func breaksLatencyLinesInSecondsWithoutCompletions() throws {
        let chart = try #require(ReportCharts.latencyOverTime(try ReportFixture.input(), stream: "ingest"))
        // Second 2 completed nothing: each of p50 and p99 is two segments around it.
        #expect(chart.series.map { $0.segments.count } == [2, 2])
    }

    @Test(arguments: [(50.0, 0.30103), (90.0, 1.0), (99.0, 2.0), (99.9, 3.0)])
    func placesPercentilesOnHdrHistogramsAxis(percentile: Double, x: Double) throws {
        let value = try #require(ReportCharts.percentileAxis(percentile))
        #expect(abs(value - x) < 1e-4)
        #expect(ReportCharts.percentileAxis(100) == nil)
    }
}

@Suite struct ConsoleSummaryTests {
    /// The end-of-run lines name every declared case the run's data never exercised, per pipe.
    @Test func namesCasesNeverExercised() throws {
        let text = RunConsoleSummary.render(try ReportFixture.summary(), folder: "results/x")
        #expect(text.contains("coverage: 2 of 3 declared cases exercised by the data"))
        #expect(text.contains("never exercised in top_products: a tie in revenue at the LIMIT cut"))
        #expect(!text.contains("never exercised in events_by_country"))
    }

    /// A run stopped by a lost target or an interrupt is not called valid.
    @Test func anAbortedRunIsNotCalledValid() throws {
        var summary = try ReportFixture.summary()
        #expect(RunConsoleSummary.render(summary, folder: "results/x").hasPrefix("valid run of"))
        for (reason, word) in [(StopCode.targetLost, "ABORTED"), (.tokenRefused, "ABORTED"), (.interrupted, "INTERRUPTED")] {
            summary.stop = StopSummary(reason: reason, message: "stopped")
            let first = RunConsoleSummary.render(summary, folder: "results/x").split(separator: "\n").first ?? ""
            #expect(first.hasPrefix("\(word) run of"), "\(reason): \(first)")
        }
    }
}
