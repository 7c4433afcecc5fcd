import Testing
@testable import StarlingMetrics

@Suite struct IntervalLogTests {
    static func interval(_ values: [UInt64]) -> HDRHistogram {
        var histogram = HDRHistogram()
        for value in values { histogram.record(value) }
        return histogram
    }

    @Test func writesHdrHistogramHeaderAndIntervalLines() throws {
        var writer = IntervalLogWriter(startTimeMilliseconds: 1_732_320_000_250, comment: "starling run smoke")
        try writer.append(Self.interval([1_000, 2_000, 12_345]), tag: "ingest", startSeconds: 0, lengthSeconds: 1)
        try writer.append(Self.interval([]), startSeconds: 1, lengthSeconds: 1)
        let lines = writer.takeText().split(separator: "\n").map(String.init)
        #expect(lines[0] == "#starling run smoke")
        #expect(lines[1] == "#[Histogram log format version 1.3]")
        #expect(lines[2] == "#[StartTime: 1732320000.250 (seconds since epoch), Sat Nov 23 00:00:00 UTC 2024]")
        #expect(lines[3] == "#[BaseTime: 1732320000.250 (seconds since epoch)]")
        #expect(lines[4] == "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"")
        #expect(lines[5].hasPrefix("Tag=ingest,0.000,1.000,12.351,HISTF"))
        #expect(lines[6].hasPrefix("1.000,1.000,0.000,HISTF"))
        #expect(lines.count == 7)
        #expect(writer.takeText().isEmpty)
    }

    @Test func rejectsTagsHdrHistogramCannotRead() {
        var writer = IntervalLogWriter(startTimeMilliseconds: 0)
        for tag in ["", "a,b", "a b"] {
            #expect(throws: MetricsError.self) {
                try writer.append(HDRHistogram(), tag: tag, startSeconds: 0, lengthSeconds: 1)
            }
        }
    }

    @Test func readsBackWhatItWrites() throws {
        var writer = IntervalLogWriter(startTimeMilliseconds: 1_700_000_000_000)
        let first = Self.interval([10, 20, 30])
        let second = Self.interval([40_000_000, 7])
        try writer.append(first, tag: "query.top_products", startSeconds: 0, lengthSeconds: 1)
        try writer.append(second, startSeconds: 1, lengthSeconds: 1.5)
        let log = try IntervalLog(parsing: writer.takeText())
        #expect(log.startSeconds == 1_700_000_000)
        #expect(log.entries.count == 2)
        #expect(log.entries[0].tag == "query.top_products")
        #expect(log.entries[0].startSeconds == 1_700_000_000)
        #expect(log.entries[1].tag == nil)
        #expect(log.entries[1].startSeconds == 1_700_000_001)
        #expect(log.entries[1].lengthSeconds == 1.5)
        #expect(log.entries[0].histogram.percentileSteps() == first.percentileSteps())
        #expect(log.entries[1].histogram.totalCount == 2)
    }

    @Test func reportsTheLineOfAMalformedInterval() {
        let text = "#[StartTime: 100.000 (seconds since epoch), x]\n0.000,1.000,2.0,@@@\n"
        #expect(throws: MetricsError.self) { try IntervalLog(parsing: text) }
        do {
            _ = try IntervalLog(parsing: "#c\n1,2,3\n")
            Issue.record("expected a parse error")
        } catch {
            #expect(error == .invalidLogLine(line: 2, reason: "expected [Tag=t,]start,length,max,histogram"))
        }
    }
}
