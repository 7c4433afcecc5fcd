import Foundation
import StarlingRun

/// Number formatting and escaping shared by the Markdown, JUnit and HTML reports.
enum ReportText {
    /// A latency in milliseconds with three significant-ish decimals: `0.102`, `11.14`, `116.9`, `1 250`.
    static func ms(_ value: Double) -> String {
        switch abs(value) {
        case ..<1: return String(format: "%.3f", value)
        case ..<100: return String(format: "%.2f", value)
        case ..<1000: return String(format: "%.1f", value)
        default: return grouped(Int64(value.rounded()))
        }
    }

    /// A rate per second: `0.70`, `12.3`, `4 887`.
    static func rate(_ value: Double) -> String {
        switch abs(value) {
        case ..<10: return String(format: "%.2f", value)
        case ..<100: return String(format: "%.1f", value)
        default: return grouped(Int64(value.rounded()))
        }
    }

    /// An integer with thin-space thousands groups (readable in Markdown and HTML alike).
    static func grouped(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "\u{202F}" }
            out.append(ch)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A threshold's measured value, or why it has none.
    static func thresholdValue(_ t: ThresholdResult) -> String {
        guard let value = t.value else { return t.reason ?? "not measured" }
        return value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.3f", value)
    }

    /// Escapes text for XML/HTML element content and attribute values; drops characters XML 1.0 forbids.
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v >= 0x20 && !(0xFFFE...0xFFFF).contains(v) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Escapes text for one Markdown table cell (pipes, newlines, HTML).
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "<br>")
    }

    static func verdictBadge(_ verdict: Verdict) -> String {
        switch verdict {
        case .passed: return "✅ passed"
        case .failed: return "❌ failed"
        case .invalid: return "⚠️ invalid"
        case .interrupted: return "⏹️ interrupted"
        case .aborted: return "🛑 aborted"
        }
    }

    static func status(_ status: CheckResult.Status) -> String {
        switch status {
        case .passed: return "✅ passed"
        case .failed: return "❌ failed"
        case .skipped: return "⏭️ skipped"
        }
    }
}
