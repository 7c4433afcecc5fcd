/// One interval of an `.hlog` file.
public struct IntervalLogEntry: Sendable, Equatable {
    /// The `Tag=` of the line, if any.
    public var tag: String?
    /// Interval start in seconds since the Unix epoch (BaseTime plus the logged offset).
    public var startSeconds: Double
    /// Interval length in seconds.
    public var lengthSeconds: Double
    /// The `Interval_Max` column as written (already scaled by the writer).
    public var loggedMax: Double
    /// The decoded interval histogram.
    public var histogram: HDRHistogram
}

/// A parsed HdrHistogram interval log (ours, Java's or Python's), read following HdrHistogram's rules:
/// comment lines start with `#`, `#[StartTime: s …` and `#[BaseTime: s …` set the time origin,
/// the legend line is skipped, and each other line is `[Tag=t,]start,length,max,base64`.
/// Without a BaseTime, timestamps more than a year before StartTime are taken as relative to it.
public struct IntervalLog: Sendable, Equatable {
    /// The log's StartTime in seconds since the Unix epoch (the first interval's if there is none).
    public var startSeconds: Double?
    /// The intervals in file order.
    public var entries: [IntervalLogEntry]

    /// Parses a whole log, failing on the first malformed interval line (with its line number).
    public init(parsing text: String) throws(MetricsError) {
        var startTime: Double?
        var baseTime: Double?
        var entries: [IntervalLogEntry] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("\"") { continue }
            if line.hasPrefix("#") {
                if let value = Self.headerSeconds(line, prefix: "#[StartTime:") { startTime = value }
                if let value = Self.headerSeconds(line, prefix: "#[BaseTime:") { baseTime = value }
                continue
            }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
            var tag: String?
            if let first = fields.first, first.hasPrefix("Tag=") {
                tag = String(first.dropFirst(4))
                fields.removeFirst()
            }
            guard fields.count == 4, let start = Double(fields[0]), let length = Double(fields[1]),
                let max = Double(fields[2])
            else {
                throw .invalidLogLine(line: offset + 1, reason: "expected [Tag=t,]start,length,max,histogram")
            }
            let histogram: HDRHistogram
            do {
                histogram = try HDRHistogram(decodingBase64: fields[3])
            } catch {
                throw .invalidLogLine(line: offset + 1, reason: error.description)
            }
            if startTime == nil { startTime = start }
            if baseTime == nil {
                baseTime = start < (startTime ?? 0) - 365 * 24 * 3600 ? startTime : 0
            }
            entries.append(
                IntervalLogEntry(
                    tag: tag, startSeconds: start + (baseTime ?? 0), lengthSeconds: length, loggedMax: max,
                    histogram: histogram))
        }
        self.startSeconds = startTime
        self.entries = entries
    }

    private static func headerSeconds(_ line: Substring, prefix: String) -> Double? {
        guard line.hasPrefix(prefix) else { return nil }
        let rest = line.dropFirst(prefix.count).drop(while: { $0 == " " })
        return Double(rest.prefix(while: { $0.isNumber || $0 == "." }))
    }
}
