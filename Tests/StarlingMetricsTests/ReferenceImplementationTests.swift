import Foundation
import Testing
@testable import StarlingMetrics

/// Differential tests against the PyPI `hdrhistogram` package, in both directions. Skipped unless
/// `STARLING_PYTHON` names a Python with `hdrhistogram` installed.
@Suite(.enabled(if: PythonReference.python != nil, "set STARLING_PYTHON to a python with hdrhistogram"))
struct ReferenceImplementationTests {
    static func slots(of histogram: HDRHistogram) -> [[UInt64]] {
        var slots: [[UInt64]] = []
        histogram.forEachRecordedSlot { value, count in slots.append([value, count]) }
        return slots
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("starling-\(UUID().uuidString)-\(name)").path
    }

    @Test(.timeLimit(.minutes(1)))
    func pythonReadsOurIntervalLog() throws {
        let python = try #require(PythonReference.python)
        let distributions = Distribution.allCases
        var histograms: [HDRHistogram] = []
        var writer = IntervalLogWriter(startTimeMilliseconds: 1_700_000_000_000, comment: "starling test")
        for (index, distribution) in distributions.enumerated() {
            var histogram = HDRHistogram()
            for value in distribution.samples(count: 20_000, seed: UInt64(index + 11)) { histogram.record(value) }
            try writer.append(histogram, tag: distribution.rawValue, startSeconds: Double(index), lengthSeconds: 1)
            histograms.append(histogram)
        }
        let path = Self.temporaryPath("ours.hlog")
        try writer.takeText().write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let summaries = try PythonReference.run(mode: "read-log", path: path, python: python)
        try #require(summaries.count == histograms.count)
        for (histogram, summary) in zip(histograms, summaries) {
            let decodedHere = try HDRHistogram(decodingBase64: summary.encoded)
            #expect(summary.total == histogram.totalCount)
            #expect(summary.slots == Self.slots(of: histogram))
            #expect(summary.max == histogram.layout.highestEquivalentValue(histogram.max))
            #expect(abs(summary.mean - histogram.mean) <= 1e-9 * histogram.mean)
            #expect(abs(summary.stddev - histogram.standardDeviation) <= 1e-9 * histogram.standardDeviation)
            for (percentile, reference) in zip(PythonReference.percentiles, summary.percentiles) {
                // Python reports the slot's top; we clamp to the exact max, in the same slot.
                #expect(histogram.layout.highestEquivalentValue(histogram.valueAtPercentile(percentile)) == reference,
                        "p\(percentile)")
                #expect(decodedHere.valueAtPercentile(percentile) == reference, "p\(percentile) after re-encoding")
            }
        }
        #expect(summaries.map(\.tag) == distributions.map(\.rawValue))
    }

    @Test(.timeLimit(.minutes(1)))
    func weReadPythonsIntervalLogAndEncoding() throws {
        let python = try #require(PythonReference.python)
        let intervals: [[[UInt64]]] = Distribution.allCases.enumerated().map { index, distribution in
            var counts: [UInt64: UInt64] = [:]
            for value in distribution.samples(count: 10_000, seed: UInt64(index + 21)) { counts[value, default: 0] += 1 }
            return counts.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }
        }
        let path = Self.temporaryPath("values.json")
        try JSONEncoder().encode(intervals).write(to: URL(fileURLWithPath: path))
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".hlog")
        }

        let summaries = try PythonReference.run(mode: "write-log", path: path, python: python)
        let log = try IntervalLog(parsing: String(contentsOfFile: path + ".hlog", encoding: .utf8))
        try #require(log.entries.count == intervals.count && summaries.count == intervals.count)
        for (index, (entry, summary)) in zip(log.entries, summaries).enumerated() {
            var recordedHere = HDRHistogram()
            for pair in intervals[index] { recordedHere.record(pair[0], count: pair[1]) }
            for decoded in [entry.histogram, try HDRHistogram(decodingBase64: summary.encoded)] {
                #expect(decoded.totalCount == summary.total)
                #expect(Self.slots(of: decoded) == summary.slots)
                #expect(Self.slots(of: decoded) == Self.slots(of: recordedHere))
                #expect(decoded.max == summary.max)
                #expect(decoded.percentileSteps() == recordedHere.percentileSteps())
                for (percentile, reference) in zip(PythonReference.percentiles, summary.percentiles) {
                    #expect(decoded.valueAtPercentile(percentile) == reference, "p\(percentile)")
                }
            }
            #expect(entry.startSeconds == 1_700_000_000 + Double(index))
            #expect(entry.lengthSeconds == 1)
        }
    }
}
