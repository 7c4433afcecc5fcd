import Testing
@testable import StarlingMetrics

@Suite struct HDRHistogramPercentileTests {
    static let percentilesPerMillion = [1, 10_000, 250_000, 500_000, 750_000, 900_000, 990_000, 999_000, 999_900, 1_000_000]

    @Test(arguments: Distribution.allCases, [20_000, 20_011])
    func percentilesMatchSortedValuesWithinPrecision(distribution: Distribution, count: Int) {
        let samples = distribution.samples(count: count, seed: 42)
        var histogram = HDRHistogram()
        for value in samples { histogram.record(value) }
        let sorted = samples.sorted()
        let layout = histogram.layout
        for perMillion in Self.percentilesPerMillion {
            let exact = exactPercentile(sorted, perMillion: perMillion)
            let reported = histogram.valueAtPercentile(Double(perMillion) / 10_000)
            // Same slot as the exact value, hence within 0.1 % of it (3 significant digits).
            #expect(layout.lowestEquivalentValue(reported) == layout.lowestEquivalentValue(exact),
                    "p\(Double(perMillion) / 10_000): \(reported) vs exact \(exact)")
            #expect(reported >= exact && reported - exact <= Swift.max(exact / 1_000, 1))
            #expect(reported <= histogram.max)
        }
        #expect(histogram.totalCount == UInt64(count))
        #expect(histogram.min == sorted.first)
        #expect(histogram.max == sorted.last)
        #expect(histogram.valueAtPercentile(100) == sorted.last)
        #expect(histogram.valueAtPercentile(0) == sorted.first)
        let exactMean = Double(samples.reduce(0, +)) / Double(count)
        #expect(abs(histogram.mean - exactMean) <= exactMean * 0.001)
    }

    @Test func stallDominatesTheTailNotTheMedian() {
        var histogram = HDRHistogram()
        for value in Distribution.bimodalWithStall.samples(count: 10_000, seed: 7) { histogram.record(value) }
        #expect(histogram.valueAtPercentile(50) <= 700)
        #expect(histogram.valueAtPercentile(98.9) <= 700)
        #expect(histogram.valueAtPercentile(99.5) >= 1_400_000)
    }

    @Test func percentileNeverExceedsTheRecordedMax() {
        var histogram = HDRHistogram()
        // 1_000_001 shares a slot whose highest value is 1_000_447.
        histogram.record(1_000_001, count: 10)
        #expect(histogram.layout.highestEquivalentValue(1_000_001) > 1_000_001)
        #expect(histogram.valueAtPercentile(99) == 1_000_001)
        #expect(histogram.valueAtPercentile(100) == 1_000_001)
    }

    @Test func integerTargetsAreNotBumpedByFloatingPointNoise() {
        var small = HDRHistogram()
        for value in 1...1_000 as ClosedRange<UInt64> { small.record(value) }
        #expect(small.valueAtPercentile(99.9) == 999)
        #expect(small.valueAtPercentile(99.95) == 1_000)
        var histogram = HDRHistogram()
        for value in 1...10_000 as ClosedRange<UInt64> { histogram.record(value) }
        // 99.9 / 100 × 10_000 = 9990.000000000002 in Double; the answer is the 9,990th value.
        #expect(histogram.countAtPercentile(99.9) == 9_990)
        #expect(histogram.countAtPercentile(50) == 5_000)
        #expect(histogram.countAtPercentile(0.001) == 1)
        #expect(histogram.countAtPercentile(33.333) == 3_334)
    }

    @Test func countWithinWidensToWholeSlots() {
        var histogram = HDRHistogram()
        for value in [5, 10, 10, 2_000, 2_001, 50_000] as [UInt64] { histogram.record(value) }
        #expect(histogram.count(within: 0...9) == 1)
        #expect(histogram.count(within: 10...10) == 2)
        // Below 2_048 every value has its own slot.
        #expect(histogram.count(within: 2_000...2_000) == 1)
        #expect(histogram.count(within: 50_000...50_000) == 1)
        #expect(histogram.count(within: 49_990...49_999) == 1)  // 50_000's slot starts at 49_984
        #expect(histogram.count(within: 0...UInt64.max) == 6)
        #expect(histogram.count(within: 4_000_000_000...UInt64.max) == 0)
    }

    @Test func emptyHistogramReportsZeros() {
        let histogram = HDRHistogram()
        #expect(histogram.isEmpty)
        #expect(histogram.valueAtPercentile(99) == 0)
        #expect(histogram.min == 0 && histogram.max == 0)
        #expect(histogram.mean == 0 && histogram.standardDeviation == 0)
    }

    @Test func meanAndStandardDeviationOfUnitSlots() {
        var histogram = HDRHistogram()
        for value in 1...100 as ClosedRange<UInt64> { histogram.record(value) }
        #expect(histogram.mean == 50.5)
        #expect(abs(histogram.standardDeviation - (833.25 as Double).squareRoot()) < 1e-9)
    }
}
