import Testing
@testable import StarlingMetrics

@Suite struct PercentileDistributionTests {
    static func oneToHundred() -> HDRHistogram {
        var histogram = HDRHistogram()
        for value in 1...100 as ClosedRange<UInt64> { histogram.record(value) }
        return histogram
    }

    @Test func ticksHalveTheDistanceToOneHundredPercent() {
        let levels = Self.oneToHundred().percentileSteps().map(\.percentile)
        #expect(Array(levels.prefix(16)) == [0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5, 80, 82.5, 85, 87.5])
        #expect(levels.last == 100)
    }

    @Test func hgrmMatchesHdrHistogramLayout() {
        let text = Self.oneToHundred().percentileDistribution()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "       Value     Percentile TotalCount 1/(1-Percentile)")
        #expect(lines[1] == "")
        #expect(lines[2] == "       1.000 0.000000000000          1           1.00")
        #expect(lines[3] == "      10.000 0.100000000000         10           1.11")
        #expect(lines[7] == "      50.000 0.500000000000         50           2.00")
        #expect(lines[8] == "      55.000 0.550000000000         55           2.22")
        #expect(lines[13] == "      78.000 0.775000000000         78           4.44")
        let footer = Array(lines.suffix(5))
        #expect(footer[0] == "     100.000 1.000000000000        100")
        #expect(footer[1] == "#[Mean    =       50.500, StdDeviation   =       28.866]")
        #expect(footer[2] == "#[Max     =      100.000, Total count    =          100]")
        #expect(footer[3] == "#[Buckets =           22, SubBuckets     =         2048]")
        #expect(footer[4] == "")
    }

    @Test func valuesAreScaledForDisplay() {
        var histogram = HDRHistogram()
        histogram.record(1_500)  // µs
        histogram.record(250_000)
        let text = histogram.percentileDistribution(valueScale: 1_000)  // ms
        #expect(text.contains("       1.500 0.000000000000          1           1.00\n"))
        #expect(text.contains("#[Max     =      250.111, Total count    =            2]"))
    }

    @Test func rowsAreMonotonicAndEndAtTheTotal() {
        var histogram = HDRHistogram()
        for value in Distribution.logNormal.samples(count: 5_000, seed: 3) { histogram.record(value) }
        let steps = histogram.percentileSteps()
        #expect(steps.count > 20)
        for (previous, next) in zip(steps, steps.dropFirst()) {
            #expect(previous.value <= next.value)
            #expect(previous.percentile < next.percentile)
            #expect(previous.totalCount <= next.totalCount)
        }
        #expect(steps.last?.totalCount == 5_000)
        #expect(HDRHistogram().percentileSteps().isEmpty)
    }
}
