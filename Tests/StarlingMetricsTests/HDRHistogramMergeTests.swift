import Testing
@testable import StarlingMetrics

@Suite struct HDRHistogramMergeTests {
    @Test(arguments: Distribution.allCases)
    func mergingWorkerHistogramsEqualsRecordingEverything(distribution: Distribution) {
        let samples = distribution.samples(count: 30_000, seed: 99)
        var all = HDRHistogram()
        var workers = [HDRHistogram](repeating: HDRHistogram(), count: 4)
        for (index, value) in samples.enumerated() {
            all.record(value)
            workers[index % 4].record(value)
        }
        var merged = HDRHistogram()
        for worker in workers { merged.add(worker) }
        #expect(merged == all)
        #expect(merged.valueAtPercentile(99.9) == all.valueAtPercentile(99.9))
    }

    @Test func mergingADifferentLayoutReRecordsEverySlot() throws {
        var coarse = try HDRHistogram(highestTrackableValue: 10_000_000, significantDigits: 2)
        for value in [100, 5_000, 5_000, 9_000_000] as [UInt64] { coarse.record(value) }
        var fine = HDRHistogram()
        fine.add(coarse)
        #expect(fine.totalCount == 4)
        #expect(fine.max == 9_000_000)
        #expect(fine.min == 100)
        #expect(fine.count(within: 4_900...5_100) == 2)
        #expect(fine.overflowCount == 0)
    }

    @Test func valuesAboveTheRangeAreClampedAndCounted() throws {
        var histogram = try HDRHistogram(highestTrackableValue: 1_000_000)
        histogram.record(10)
        histogram.record(2_000_000)
        histogram.record(UInt64.max, count: 3)
        #expect(histogram.totalCount == 5)
        #expect(histogram.overflowCount == 4)
        #expect(histogram.max == 1_000_000)
        #expect(histogram.valueAtPercentile(100) == 1_000_000)
        #expect(histogram.count(within: 1_000_000...1_000_000) == 4)

        var other = try HDRHistogram(highestTrackableValue: 1_000_000)
        other.record(5_000_000)
        histogram.add(other)
        #expect(histogram.overflowCount == 5)
        #expect(histogram.totalCount == 6)
    }

    @Test func mergingIntoASmallerRangeCountsTheNewOverflow() throws {
        var wide = HDRHistogram()
        wide.record(50_000_000)
        wide.record(10)
        var narrow = try HDRHistogram(highestTrackableValue: 1_000_000)
        narrow.add(wide)
        #expect(narrow.totalCount == 2)
        #expect(narrow.overflowCount == 1)
        #expect(narrow.max == 1_000_000)
    }

    @Test func resetEmptiesButKeepsTheLayout() throws {
        var histogram = try HDRHistogram(highestTrackableValue: 1_000_000)
        histogram.record(10)
        histogram.record(9_999_999)
        histogram.reset()
        #expect(histogram == (try HDRHistogram(highestTrackableValue: 1_000_000)))
        #expect(histogram.overflowCount == 0 && histogram.isEmpty)
    }

    @Test(arguments: [
        (UInt64(1), UInt64(1), 3),
        (UInt64(1), UInt64(1_000), 0),
        (UInt64(1), UInt64(1_000), 6),
        (UInt64(0), UInt64(1_000), 3),
    ])
    func rejectsSettingsHdrHistogramRejects(lowest: UInt64, highest: UInt64, digits: Int) {
        #expect(throws: MetricsError.self) {
            try HistogramLayout(lowestDiscernibleValue: lowest, highestTrackableValue: highest, significantDigits: digits)
        }
    }

    @Test func defaultLayoutMatchesHdrHistogramGeometry() {
        let layout = HistogramLayout.microsecondsUpToOneHour
        #expect(layout.bucketCount == 22)
        #expect(layout.subBucketCount == 2_048)
        #expect(layout.countsLength == 23_552)
        #expect(layout.countsIndex(of: 2_047) == 2_047)
        #expect(layout.countsIndex(of: 2_048) == 2_048)
        #expect(layout.countsIndex(of: 2_049) == 2_048)
        #expect(layout.countsIndex(of: 4_096) == 3_072)
        #expect(layout.value(atIndex: 3_072) == 4_096)
        #expect(layout.highestEquivalentValue(4_096) == 4_099)
        #expect(layout.countsIndex(of: layout.highestTrackableValue) < layout.countsLength)
    }
}
