import Foundation
import StarlingMetrics
import StarlingRun

extension ReportInput {
    /// Reads a results folder: `summary.json` (required), every `<stream>.hgrm` (a stream without
    /// one falls back to the sum of its `intervals.hlog` intervals) and `timeline.csv` (optional: the
    /// charts over time say so when it is absent).
    public init(folder: String) throws(ReportError) {
        let summary = try ResultWriter.readSummary(from: folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var spectra: [StreamName: [SpectrumPoint]] = [:]
        for name in names.sorted() where name.hasSuffix(".hgrm") {
            let path = "\(folder)/\(name)"
            let points = try Self.parsePercentileDistribution(Self.read(path), path: path)
            if !points.isEmpty { spectra[String(name.dropLast(".hgrm".count))] = points }
        }
        let logPath = "\(folder)/intervals.hlog"
        if FileManager.default.fileExists(atPath: logPath) {
            for (stream, histogram) in try Self.totals(ofIntervalLog: Self.read(logPath), path: logPath)
            where spectra[stream] == nil && !histogram.isEmpty {
                spectra[stream] = SpectrumPoint.points(of: histogram, valueScale: 1000)
            }
        }
        let timelinePath = "\(folder)/timeline.csv"
        let timelines = FileManager.default.fileExists(atPath: timelinePath)
            ? try Self.parseTimeline(Self.read(timelinePath), path: timelinePath) : [:]
        self.init(summary: summary, spectra: spectra, timelines: timelines)
    }

    /// The rows of an `.hgrm` percentile distribution (`Value Percentile TotalCount 1/(1-Percentile)`);
    /// the header, blank and `#[…]` footer lines are skipped. Percentiles are fractions in the file.
    static func parsePercentileDistribution(_ text: String, path: String) throws(ReportError) -> [SpectrumPoint] {
        var points: [SpectrumPoint] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ")
            guard let first = fields.first, !first.hasPrefix("#"), first != "Value" else { continue }
            guard fields.count >= 3, let value = Double(fields[0]), let fraction = Double(fields[1]) else {
                throw .unreadable(path, "line \(offset + 1) is not a percentile row (Value Percentile TotalCount …)")
            }
            points.append(SpectrumPoint(percentile: fraction * 100, valueMs: value))
        }
        return points
    }

    /// Every tag's intervals added up (histograms merge exactly by adding counts).
    static func totals(ofIntervalLog text: String, path: String) throws(ReportError) -> [StreamName: HDRHistogram] {
        let log: IntervalLog
        do {
            log = try IntervalLog(parsing: text)
        } catch {
            throw .unreadable(path, error.description)
        }
        var totals: [StreamName: HDRHistogram] = [:]
        for entry in log.entries {
            totals[entry.tag ?? "untagged", default: HDRHistogram(layout: entry.histogram.layout)].add(entry.histogram)
        }
        return totals
    }

    /// `timeline.csv` as ``ResultWriter/timelineCSV(_:)`` writes it (latencies in ms, read back to µs).
    static func parseTimeline(_ text: String, path: String) throws(ReportError) -> [StreamName: [TimelineRow]] {
        var lines = text.split(separator: "\n").map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == "second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms" else {
            throw .unreadable(path, "expected the header second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms")
        }
        lines.removeFirst()
        var timelines: [StreamName: [TimelineRow]] = [:]
        for (offset, line) in lines.enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let micros = { (i: Int) in Double(f[i]).flatMap { $0 >= 0 ? UInt64(($0 * 1000).rounded()) : nil } }
            guard f.count == 9, let second = Int64(f[0]), let offered = UInt64(f[2]), let achieved = UInt64(f[3]),
                let errors = UInt64(f[4]), let p50 = micros(5), let p90 = micros(6), let p99 = micros(7), let max = micros(8)
            else {
                throw .unreadable(path, "line \(offset + 2) has not 9 valid fields: \(line)")
            }
            var row = TimelineRow(second: second)
            (row.offered, row.achieved, row.errors) = (offered, achieved, errors)
            (row.p50, row.p90, row.p99, row.max) = (p50, p90, p99, max)
            timelines[String(f[1]), default: []].append(row)
        }
        return timelines
    }

    private static func read(_ path: String) throws(ReportError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, "cannot open it") }
        return String(decoding: data, as: UTF8.self)
    }
}
