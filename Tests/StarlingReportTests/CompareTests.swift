import Foundation
import StarlingRun
import Testing
@testable import StarlingReport

@Suite struct CompareTests {
    /// The fixture summary with ingest p99 (ms) and the top_products achieved rate set.
    static func run(p99: Double, rate: Double = 119.5, count: UInt64 = 1000) throws -> (folder: String, summary: RunSummary) {
        var s = try ReportFixture.summary()
        s.streams["ingest"]?.p99 = p99
        s.streams["ingest"]?.count = count
        s.queries["top_products"]?.achievedPerSecond = rate
        return ("run-\(p99)-\(rate)", s)
    }

    static func compare(_ baseline: [Double], _ current: Double, rate: Double = 119.5, tolerances: CompareTolerances = CompareTolerances()) throws -> Comparison {
        Comparison(baseline: RunSet(summaries: try baseline.map { try run(p99: $0) }), current: try run(p99: current, rate: rate), tolerances: tolerances)
    }

    static func verdict(_ c: Comparison, _ metric: String) -> MetricVerdict? {
        c.rows.first { $0.name == metric }?.verdict
    }

    @Test func flagsARegressionBeyondTheSpreadAndTolerance() throws {
        // Max 55 ms; 55 + 50 % × 55 + 5 ms = 87.5 ms.
        let c = try Self.compare([50, 52, 55], 90)
        #expect(Self.verdict(c, "ingest.latency.p99") == .regression)
        #expect(c.exitCode == 2)
        #expect(ComparisonReport.markdown(c).contains("| ingest.latency.p99 | ↓ | 52 ms | 50–55 (n=3) | 90 ms | +38 (+73.1%) | 50% + 5 ms | ❌ regression |"))
    }

    @Test func doesNotFlagAnImprovement() throws {
        let c = try Self.compare([50, 52, 55], 10)
        #expect(Self.verdict(c, "ingest.latency.p99") == .improvement)
        #expect(c.exitCode == 0)
    }

    @Test func doesNotFlagNoiseWithinTheBaselineSpread() throws {
        // 100 ms is 67 % above the median but within max 70 + 50 % + 5 ms = 110 ms.
        let c = try Self.compare([50, 60, 70], 100)
        #expect(Self.verdict(c, "ingest.latency.p99") == .unchanged)
        #expect(!c.hasRegression)
        // The same value against a single steady run is a regression (60 + 50 % + 5 ms = 95 ms).
        #expect(Self.verdict(try Self.compare([60], 100), "ingest.latency.p99") == .regression)
    }

    @Test func severalCurrentRunsMustAllShowTheChange() throws {
        let baseline = RunSet(summaries: try [50.0, 52, 55].map { try Self.run(p99: $0) })
        let mixed = RunSet(summaries: try [100.0, 60].map { try Self.run(p99: $0) })
        let consistent = RunSet(summaries: try [100.0, 95].map { try Self.run(p99: $0) })
        #expect(Self.verdict(Comparison(baseline: baseline, current: mixed, tolerances: CompareTolerances()), "ingest.latency.p99") == .unchanged)
        let c = Comparison(baseline: baseline, current: consistent, tolerances: CompareTolerances())
        #expect(Self.verdict(c, "ingest.latency.p99") == .regression)
        #expect(ComparisonReport.markdown(c).contains("| ingest.latency.p99 | ↓ | 52 ms | 50–55 (n=3) | 97.50 ms | 95–100 (n=2) | +45.50 (+87.5%) |"))
    }

    @Test func respectsPolarity() throws {
        // A rate 30 % lower is worse; 30 % higher is better.
        #expect(Self.verdict(try Self.compare([50], 50, rate: 83), "query.top_products.achieved_rate") == .regression)
        #expect(Self.verdict(try Self.compare([50], 50, rate: 160), "query.top_products.achieved_rate") == .improvement)
    }

    @Test func reportsMissingMetricsWithoutGatingThem() throws {
        var current = try Self.run(p99: 50)
        current.summary.queries["top_products"] = nil
        current.summary.streams["query.top_products"] = nil
        let c = Comparison(baseline: RunSet(summaries: [try Self.run(p99: 50)]), current: current, tolerances: CompareTolerances())
        #expect(Self.verdict(c, "query.top_products.latency.p50") == .missing)
        #expect(c.rows.first { $0.name == "query.top_products.latency.p50" }?.note == "not in the current run")
        #expect(c.exitCode == 0)
    }

    @Test func doesNotGateAPercentileBackedByTooFewSamples() throws {
        // p99 of 200 requests has 2 samples beyond it.
        let base = try Self.run(p99: 50, count: 200)
        let c = Comparison(baseline: RunSet(summaries: [base]), current: try Self.run(p99: 500, count: 200), tolerances: CompareTolerances())
        #expect(Self.verdict(c, "ingest.latency.p99") == .noisy)
        #expect(Self.verdict(c, "ingest.latency.p50") == .unchanged)
    }

    @Test func countsMustNotGrow() throws {
        var current = try Self.run(p99: 50)
        current.summary.ingest.ledger.failed += 1
        let c = Comparison(baseline: RunSet(summaries: [try Self.run(p99: 50)]), current: current, tolerances: CompareTolerances())
        #expect(Self.verdict(c, "ledger.undelivered") == .regression)
    }

    @Test func toleranceOverridesApplyByKindAndByMetric() throws {
        var tolerances = CompareTolerances()
        try tolerances.apply("tail=40%+5ms")
        try tolerances.apply("ingest.latency.p99=0.1")
        #expect(tolerances.byKind[.tail] == Tolerance(relative: 0.4, absolute: 5))
        #expect(tolerances.byMetric["ingest.latency.p99"] == Tolerance(relative: 0.1, absolute: 0))
        try tolerances.apply("latency=10%+1s")
        #expect(tolerances.byKind[.latency] == Tolerance(relative: 0.1, absolute: 1000))
        // 72 ms is beyond 55 + 10 % now (within the default 50 % + 5 ms).
        #expect(Self.verdict(try Self.compare([50, 52, 55], 72, tolerances: tolerances), "ingest.latency.p99") == .regression)
        #expect(Self.verdict(try Self.compare([50, 52, 55], 72), "ingest.latency.p99") == .unchanged)
        #expect(throws: CompareError.badTolerance("tail")) { try tolerances.apply("tail") }
        #expect(throws: CompareError.badTolerance("tail=-1")) { try tolerances.apply("tail=-1") }
    }

    @Test func leavesInvalidRunsOutAndDrawsNoVerdictFromAnInvalidCurrentRun() throws {
        var stalled = try Self.run(p99: 900)
        stalled.summary.valid = false
        stalled.summary.invalidReasons = ["the ingest schedule fell behind"]
        let c = Comparison(baseline: RunSet(summaries: [try Self.run(p99: 50), stalled]), current: try Self.run(p99: 200), tolerances: CompareTolerances())
        #expect(c.baselineFolders == ["run-50.0-119.5"])
        #expect(Self.verdict(c, "ingest.latency.p99") == .regression)
        #expect(c.warnings.first == "left out as invalid runs: run-900.0-119.5")

        let inconclusive = Comparison(baseline: RunSet(summaries: [try Self.run(p99: 50)]), current: stalled, tolerances: CompareTolerances())
        #expect(inconclusive.hasRegression)
        #expect(inconclusive.exitCode == 3)
        #expect(ComparisonReport.markdown(inconclusive).contains("inconclusive: the current run is invalid"))
    }

    @Test(.timeLimit(.minutes(1))) func readsAFolderOfRunsAsOneBaseline() throws {
        let parent = try ReportFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        for (name, p99) in [("run1", 50.0), ("run2", 55.0)] {
            try ResultsFolder.prepare("\(parent)/\(name)").writeSummary(try Self.run(p99: p99).summary)
        }
        try FileManager.default.createDirectory(atPath: "\(parent)/notes", withIntermediateDirectories: true)
        let set = try RunSet(folders: [parent])
        #expect(set.runs.map(\.folder) == ["\(parent)/run1", "\(parent)/run2"])
        #expect(set.runs.map { $0.summary.streams["ingest"]?.p99 } == [50, 55])
        #expect(throws: CompareError.notResults("\(parent)/notes")) { try RunSet(folders: ["\(parent)/notes"]) }
    }

    /// A summary that cannot be read is named once, with what is wrong in words (no Foundation dump).
    @Test func anUnreadableSummaryIsNamedOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"schema\":".utf8).write(to: folder.appendingPathComponent("summary.json"))
        do {
            _ = try RunSet(folders: [folder.path])
            Issue.record("a broken summary was read")
        } catch {
            let path = folder.appendingPathComponent("summary.json").path
            #expect(error.description.components(separatedBy: path).count == 2, "\(error.description)")
            #expect(error.description.contains("not valid JSON") && !error.description.contains("The given data"), "\(error.description)")
        }
    }
}
