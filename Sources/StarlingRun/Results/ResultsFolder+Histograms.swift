import Foundation
import StarlingMetrics

extension ResultsFolder {
    /// Writes one `<stream>.hgrm` (HdrHistogram percentile distribution, milliseconds) per stream,
    /// and `timeline.csv`.
    public func writeLatencies(histograms: [StreamName: HDRHistogram], timelines: [StreamName: [TimelineRow]]) throws(ResultsError) {
        for (stream, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            try Self.writeText(histogram.percentileDistribution(valueScale: 1000), toPath: histogramPath(stream: stream))
        }
        try write(Self.timelineCSV(timelines), to: .timeline)
    }

    /// The streams that have an `.hgrm` file.
    public func histogramStreams() throws(ResultsError) -> [StreamName] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .unreadable(path, Self.reason(of: error))
        }
        return names.filter { $0.hasSuffix(".hgrm") }.map { String($0.dropLast(".hgrm".count)) }.sorted()
    }

    /// The rows of a stream's `.hgrm` (`Value Percentile TotalCount 1/(1-Percentile)`): percentile
    /// (0…100) and value (ms). Header, blank and `#[…]` footer lines are skipped.
    public func percentileDistribution(stream: StreamName) throws(ResultsError) -> [(percentile: Double, valueMs: Double)] {
        let file = histogramPath(stream: stream)
        var points: [(percentile: Double, valueMs: Double)] = []
        for (offset, line) in try Self.read(file).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ")
            guard let first = fields.first, !first.hasPrefix("#"), first != "Value" else { continue }
            guard fields.count >= 3, let value = Double(fields[0]), let fraction = Double(fields[1]) else {
                throw .unreadable(file, "line \(offset + 1) is not a percentile row (Value Percentile TotalCount …)")
            }
            points.append((fraction * 100, value))
        }
        return points
    }

    /// Writes `totals.hlog`: each stream's whole-run histogram, one interval per tag, at full
    /// resolution (the `.hgrm` files are percentile tables, which do not add).
    public func writeTotals(_ histograms: [String: HDRHistogram], startWallNanos: Int64, seconds: Double) throws(ResultsError) {
        var writer = IntervalLogWriter(startTimeMilliseconds: startWallNanos / 1_000_000, maxValueScale: 1000,
                                       comment: "starling totals: one whole-run histogram per stream, microseconds")
        do {
            for (stream, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
                try writer.append(histogram, tag: stream, startSeconds: 0, lengthSeconds: seconds)
            }
        } catch {
            throw .unwritable(url(.totals), "\(error)")
        }
        try write(writer.takeText(), to: .totals)
    }

    /// `totals.hlog` (or, for a folder written before it existed, `intervals.hlog` added up).
    public func readTotals() throws(ResultsError) -> [StreamName: HDRHistogram] {
        guard exists(.totals) else { return try intervalLogTotals() }
        return try Self.addedUp(read(.totals), path: url(.totals))
    }

    static func addedUp(_ text: String, path: String) throws(ResultsError) -> [StreamName: HDRHistogram] {
        let log: IntervalLog
        do {
            log = try IntervalLog(parsing: text)
        } catch {
            throw .unreadable(path, "\(error)")
        }
        var totals: [StreamName: HDRHistogram] = [:]
        for entry in log.entries {
            totals[entry.tag ?? "untagged", default: HDRHistogram(layout: entry.histogram.layout)].add(entry.histogram)
        }
        return totals
    }

    /// Every tag of `intervals.hlog` with its intervals added up (histograms merge exactly by adding
    /// counts); empty when the folder has no interval log.
    public func intervalLogTotals() throws(ResultsError) -> [StreamName: HDRHistogram] {
        guard exists(.intervalLog) else { return [:] }
        return try Self.addedUp(read(.intervalLog), path: url(.intervalLog))
    }

    /// `timeline.csv`, or empty when the folder has none.
    public func readTimelines() throws(ResultsError) -> [StreamName: [TimelineRow]] {
        guard exists(.timeline) else { return [:] }
        return try Self.parseTimeline(try read(.timeline), path: url(.timeline))
    }

    static let timelineHeader = "second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms"

    /// One row per second and stream: `second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms`.
    public static func timelineCSV(_ timelines: [StreamName: [TimelineRow]]) -> String {
        var lines = [timelineHeader]
        let rows = timelines.flatMap { stream, rows in rows.map { (stream, $0) } }
            .sorted { ($0.1.second, $0.0) < ($1.1.second, $1.0) }
        for (stream, row) in rows {
            let ms = { (v: UInt64) in String(format: "%.3f", Double(v) / 1000) }
            lines.append("\(row.second),\(stream),\(row.offered),\(row.achieved),\(row.errors),\(ms(row.p50)),\(ms(row.p90)),\(ms(row.p99)),\(ms(row.max))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `timeline.csv` as `timelineCSV` writes it (latencies in ms, read back to µs).
    public static func parseTimeline(_ text: String, path: String) throws(ResultsError) -> [StreamName: [TimelineRow]] {
        var lines = text.split(separator: "\n").map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first.map(String.init) == timelineHeader else {
            throw .unreadable(path, "expected the header \(timelineHeader)")
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
}
