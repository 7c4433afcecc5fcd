import Foundation
import StarlingRun
import Testing
@testable import StarlingReport

/// The statistics behind `starling ab`, on synthetic runs whose noise is known.
@Suite struct ABTests {
    @Test func mannWhitneyIsExactForSmallSamples() {
        // Every value of x above every value of y: only 1 of C(6,3) = 20 splits is as extreme.
        #expect(abs(ABStatistics.mannWhitneyGreater([4, 5, 6], [1, 2, 3]) - 0.05) < 1e-12)
        #expect(abs(ABStatistics.mannWhitneyGreater([1, 2, 3], [4, 5, 6]) - 1) < 1e-12)
        // 8 against 8 entirely above: 1 / C(16, 8) = 1 / 12870.
        let p = ABStatistics.mannWhitneyGreater((9...16).map(Double.init), (1...8).map(Double.init))
        #expect(abs(p - 1.0 / 12870) < 1e-12)
        // Interleaved samples are far from significant.
        #expect(ABStatistics.mannWhitneyGreater([1, 3, 5, 7], [2, 4, 6, 8]) > 0.5)
    }

    /// Runs of the fixture summary with one pipe's p50 and p99 scaled by `factor` and seeded noise
    /// (log-normal, sigma 0.25: a shared machine's run-to-run spread).
    static func runs(_ count: Int, factor: Double, seed: inout UInt64) throws -> [RunSummary] {
        func uniform() -> Double {  // SplitMix64
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        func noise() -> Double {
            let u1 = max(uniform(), 1e-12), u2 = uniform()
            return exp(0.25 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        return try (0..<count).map { _ in
            var s = try ReportFixture.summary()
            s.streams["query.top_products"]?.p50 = 5 * factor * noise()
            s.streams["query.top_products"]?.p99 = 15 * factor * noise()
            s.streams["ingest"]?.p50 = 10 * noise()
            return s
        }
    }

    /// A pipe 2.5 times as slow, under noise of ±25 % (log-normal sigma 0.25), in 8 rounds.
    @Test func aSlowerPipeIsDetectedAtEightRounds() throws {
        var seed: UInt64 = 7
        var detected = 0
        for _ in 0..<20 {
            let c = ABComparison(a: try Self.runs(8, factor: 1, seed: &seed), b: try Self.runs(8, factor: 2.5, seed: &seed))
            if c.rows.first(where: { $0.name == "query.top_products.latency.p50" })?.verdict == .regression { detected += 1 }
        }
        #expect(detected >= 18, "detected \(detected) of 20")
    }

    /// The rule's family-wise false-alarm rate is at most 1 % per comparison: 40 comparisons allow one.
    @Test func aAgainstItselfRarelyRaisesAnAlarm() throws {
        var seed: UInt64 = 11
        var alarms = 0
        for _ in 0..<40 {
            let c = ABComparison(a: try Self.runs(8, factor: 1, seed: &seed), b: try Self.runs(8, factor: 1, seed: &seed))
            if c.hasRegression {
                alarms += 1
            }
        }
        #expect(alarms <= 1, "\(alarms) false alarms in 40 A-vs-A comparisons")
    }

    @Test func theReportNamesTheVerdictAndTheRule() throws {
        var seed: UInt64 = 3
        let c = ABComparison(a: try Self.runs(8, factor: 1, seed: &seed), b: try Self.runs(8, factor: 2.5, seed: &seed))
        let md = ABReport.markdown(c, a: "main", b: "pr", rounds: 8)
        #expect(md.contains("❌ B is worse"))
        #expect(md.contains("| query.top_products.latency.p50 | ↓ |"))
        #expect(md.contains("Mann–Whitney"))
        #expect(c.exitCode == 2)
    }
}
