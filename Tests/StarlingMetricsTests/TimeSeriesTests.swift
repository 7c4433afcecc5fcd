import Testing
@testable import StarlingMetrics

@Suite struct TimeSeriesTests {
    @Test func sealsSecondsThatLeaveTheWindow() {
        var series = TimeSeries(window: 3)
        series.recordOffered(second: 0, count: 100)
        for latency in 1...100 as ClosedRange<UInt64> {
            series.recordCompletion(second: 0, latency: latency * 10, succeeded: latency <= 98)
        }
        series.recordOffered(second: 2)
        #expect(series.takeSealedRows().isEmpty)
        series.recordOffered(second: 3)  // second 0 leaves the 3-second window
        let rows = series.takeSealedRows()
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.second == 0 && row.offered == 100 && row.achieved == 98 && row.errors == 2)
        // 2 significant digits: the top of each value's slot (500 → 500...501, 900 → 900...903).
        #expect(row.p50 == 501 && row.p90 == 903 && row.p99 == 991 && row.max == 1_000)
        #expect(series.takeSealedRows().isEmpty)
    }

    @Test func emptySecondsBecomeZeroRows() {
        var series = TimeSeries(window: 2)
        series.recordOffered(second: 10)
        series.recordOffered(second: 15)
        series.recordCompletion(second: 15, latency: 40, succeeded: true)
        let rows = series.finish()
        #expect(rows.map(\.second) == [10, 11, 12, 13, 14, 15])
        #expect(rows.map(\.offered) == [1, 0, 0, 0, 0, 1])
        #expect(rows[5].achieved == 1 && rows[5].max == 40)
        #expect(rows[2] == TimelineRow(second: 12))
    }

    @Test func lateSamplesAreCountedNotFiled() {
        var series = TimeSeries(window: 2)
        series.recordOffered(second: 0)
        series.recordOffered(second: 5)
        series.recordOffered(second: 1, count: 4)
        series.recordCompletion(second: 0, latency: 1, succeeded: false)
        #expect(series.lateSampleCount == 5)
        let rows = series.finish()
        #expect(rows.reduce(0) { $0 + $1.offered } == 2)
    }

    @Test func outOfOrderSamplesInsideTheWindowLandInTheirSecond() {
        var series = TimeSeries(window: 5)
        series.recordOffered(second: 4)
        series.recordOffered(second: 2)
        series.recordCompletion(second: 3, latency: 7, succeeded: true)
        let rows = series.finish()
        #expect(rows.map(\.second) == [2, 3, 4])
        #expect(rows.map(\.offered) == [1, 0, 1])
        #expect(rows[1].achieved == 1 && rows[1].p99 == 7)
        #expect(series.lateSampleCount == 0)
    }

    @Test func longGapsAreCappedAndRingSlotsReused() {
        var series = TimeSeries(window: 4)
        series.recordOffered(second: 0)
        series.recordOffered(second: 1_000_000)
        let rows = series.takeSealedRows()
        // Seconds 0...3 had ring slots, then at most `maximumFilledGap` zero rows.
        #expect(rows.count == 4 + Int(TimeSeries.maximumFilledGap))
        #expect(rows.first?.offered == 1)
        #expect(rows.last?.second == 3 + TimeSeries.maximumFilledGap)
        series.recordOffered(second: 1_000_004)
        let rest = series.finish()
        #expect(rest.map(\.second) == Array(999_997...1_000_004))
        #expect(rest.map(\.offered) == [0, 0, 0, 1, 0, 0, 0, 1])
    }
}
