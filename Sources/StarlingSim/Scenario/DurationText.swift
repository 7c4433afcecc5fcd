import StarlingJSON

/// Durations as people write them in scenarios and flags: `500ms`, `90s`, `10m`, `24h`, `7d`,
/// or a bare number of seconds, at most `maximumSeconds`. Returned in seconds.
public enum DurationText {
    /// Ten years: longer is a typo (`1e9h`), and in nanoseconds from now it would overflow the
    /// 64-bit clocks a run's deadlines are kept in.
    public static let maximumSeconds: Double = 10 * 365 * 86_400

    public static func seconds(parsing text: String) -> Double? {
        guard let seconds = unbounded(text), seconds <= maximumSeconds else { return nil }
        return seconds
    }

    static func unbounded(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = text.trimmingSpaces
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" must not be read as "m" + "s": the first matching suffix in the list wins.
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return value * scale
        }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// A short human form: `1.5s`, `250ms`, `2h`.
    public static func format(seconds: Double) -> String {
        if seconds >= 86_400, seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds >= 1 { return "\(trim(seconds))s" }
        return "\(trim(seconds * 1000))ms"
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\((value * 1000).rounded() / 1000)"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

extension ObjectReader {
    /// A duration written as text (`"90s"`) or a number of seconds.
    public mutating func duration(_ key: String, default fallback: Double?) throws(ScenarioError) -> Double? {
        guard let value = value(key) else { return fallback }
        switch value {
        case .number: if let n = value.number, n >= 0, n <= DurationText.maximumSeconds { return n }
        case .string(let s): if let seconds = DurationText.seconds(parsing: s) { return seconds }
        default: break
        }
        throw .invalidValue(path: childPath(key), expected: "a duration like \"500ms\", \"90s\", \"10m\", \"24h\", \"7d\" (at most 10 years)", found: value.summary)
    }
}
