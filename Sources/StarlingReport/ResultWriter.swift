import Foundation
import StarlingMetrics
import StarlingRun

/// Writes a run's results folder: `summary.json`, one `<stream>.hgrm` per stream, `timeline.csv`.
/// (`intervals.hlog` and `deadletter.ndjson` are streamed by the engine while it runs.)
public enum ResultWriter {
    public static func write(_ outcome: RunOutcome, to directory: String) throws(ReportError) {
        try writeSummary(outcome.summary, to: directory)
        for (stream, histogram) in outcome.histograms.sorted(by: { $0.key < $1.key }) {
            let text = histogram.percentileDistribution(valueScale: 1000)
            try write(text, to: "\(directory)/\(stream).hgrm")
        }
        try write(timelineCSV(outcome.timelines), to: "\(directory)/timeline.csv")
    }

    public static func writeSummary(_ summary: RunSummary, to directory: String) throws(ReportError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            let data = try encoder.encode(summary)
            try write(String(decoding: data, as: UTF8.self) + "\n", to: "\(directory)/summary.json")
        } catch let error as ReportError {
            throw error
        } catch {
            throw .encoding("\(error)")
        }
    }

    public static func readSummary(from directory: String) throws(ReportError) -> RunSummary {
        let path = "\(directory)/summary.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw .missing(path) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(RunSummary.self, from: data)
        } catch {
            throw .unreadable(path, "\(error)")
        }
    }

    /// One row per second and stream: `second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms`.
    public static func timelineCSV(_ timelines: [String: [TimelineRow]]) -> String {
        var lines = ["second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms"]
        let rows = timelines.flatMap { stream, rows in rows.map { (stream, $0) } }
            .sorted { ($0.1.second, $0.0) < ($1.1.second, $1.0) }
        for (stream, row) in rows {
            let ms = { (v: UInt64) in String(format: "%.3f", Double(v) / 1000) }
            lines.append("\(row.second),\(stream),\(row.offered),\(row.achieved),\(row.errors),\(ms(row.p50)),\(ms(row.p90)),\(ms(row.p99)),\(ms(row.max))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String, to path: String) throws(ReportError) {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritable(path, "\(error.localizedDescription)")
        }
    }
}

/// Errors reading or writing results.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case unreadable(String, String)
    case unwritable(String, String)
    case encoding(String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path) does not exist; is this a Starling results folder?"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
        case .encoding(let reason): return "cannot encode the summary: \(reason)"
        }
    }
}
