import Foundation

/// Writes an HdrHistogram interval log (`.hlog`, log format 1.3), readable by HdrHistogram's
/// `HistogramLogProcessor`/`HistogramLogReader` and by the PyPI `hdrhistogram` package:
///
///     #[Histogram log format version 1.3]
///     #[StartTime: 1732320000.000 (seconds since epoch), Sat Nov 23 00:00:00 UTC 2024]
///     #[BaseTime: 1732320000.000 (seconds since epoch)]
///     "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
///     Tag=ingest,0.000,1.000,12.345,HISTFAAAA…
///
/// Interval start times are seconds relative to BaseTime, which is the StartTime. `Interval_Max`
/// is the interval's max divided by `maxValueScale` (HdrHistogram's `getMaxValue`: the highest value
/// of the max's slot); the last field is Base64 of the compressed V2 encoding.
///
/// The text accumulates in memory; call ``takeText()`` after each interval to stream it to a file.
public struct IntervalLogWriter: Sendable {
    /// Run start, milliseconds since the Unix epoch.
    public let startTimeMilliseconds: Int64
    /// Divides the max column (1000 writes milliseconds from microsecond histograms).
    public let maxValueScale: Double
    private var pending: String

    /// Starts a log with the version, StartTime, BaseTime and legend lines, preceded by an optional
    /// one-line comment (e.g. the tool and scenario).
    public init(startTimeMilliseconds: Int64, maxValueScale: Double = 1000, comment: String? = nil) {
        self.startTimeMilliseconds = startTimeMilliseconds
        self.maxValueScale = maxValueScale
        let seconds = Double(startTimeMilliseconds) / 1000
        var header = ""
        if let comment {
            header += "#\(comment.replacingOccurrences(of: "\n", with: " "))\n"
        }
        header += "#[Histogram log format version 1.3]\n"
        header += String(format: "#[StartTime: %.3f (seconds since epoch), ", seconds)
        header += Self.javaDateString(millisecondsSinceEpoch: startTimeMilliseconds) + "]\n"
        header += String(format: "#[BaseTime: %.3f (seconds since epoch)]\n", seconds)
        header += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
        self.pending = header
    }

    /// Appends one interval line. `startSeconds` is relative to the log's start time.
    /// A tag must be non-empty and free of commas and whitespace (HdrHistogram's rule).
    public mutating func append(
        _ histogram: HDRHistogram, tag: String? = nil, startSeconds: Double, lengthSeconds: Double
    ) throws(MetricsError) {
        if let tag {
            guard !tag.isEmpty, !tag.contains(where: { $0 == "," || $0.isWhitespace }) else {
                throw .invalidConfiguration("log tag '\(tag)' must be non-empty, without commas or whitespace")
            }
            pending += "Tag=\(tag),"
        }
        let reportedMax = histogram.isEmpty ? 0 : histogram.layout.highestEquivalentValue(histogram.max)
        pending += String(
            format: "%.3f,%.3f,%.3f,", startSeconds, lengthSeconds, Double(reportedMax) / maxValueScale)
        pending += try histogram.encodeCompressedV2Base64()
        pending += "\n"
    }

    /// Returns the text written since the last call and forgets it.
    public mutating func takeText() -> String {
        defer { pending = "" }
        return pending
    }

    /// `java.util.Date.toString()` in UTC, e.g. `Sat Nov 23 00:00:00 UTC 2024`.
    static func javaDateString(millisecondsSinceEpoch: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000))
    }
}
