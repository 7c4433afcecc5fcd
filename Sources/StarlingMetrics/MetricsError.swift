/// Everything that can go wrong in StarlingMetrics: bad histogram settings and unreadable encodings.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// Histogram settings HdrHistogram would reject (the message names the setting and its range).
    case invalidConfiguration(String)
    /// Encoded histogram bytes that are not a V2 (or compressed V2) HdrHistogram encoding.
    case invalidEncoding(String)
    /// zlib failed (the zlib return code and what was attempted).
    case compression(code: Int32, operation: String)
    /// An `.hlog` line that cannot be parsed (1-based line number).
    case invalidLogLine(line: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return "invalid histogram configuration: \(message)"
        case .invalidEncoding(let message):
            return "not a V2 HdrHistogram encoding: \(message)"
        case .compression(let code, let operation):
            return "zlib \(operation) failed with code \(code)"
        case .invalidLogLine(let line, let reason):
            return "histogram log line \(line): \(reason)"
        }
    }
}
