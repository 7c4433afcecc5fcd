import Foundation
import StarlingRun

/// `compare.md` and the console output of `starling compare`: every metric with its baseline,
/// current value, change and verdict.
public enum ComparisonReport {
    public static func markdown(_ c: Comparison) -> String {
        let regressions = c.rows.filter { $0.verdict == .regression }.count
        let improvements = c.rows.filter { $0.verdict == .improvement }.count
        let headline = c.inconclusive ? "⚠️ inconclusive: the current run is invalid"
            : regressions > 0 ? "❌ \(regressions) regression\(regressions == 1 ? "" : "s")" : "✅ no regression"
        var md = ["## Starling compare — " + headline, ""]
        md.append("Current: " + list(c.currentFolders) + ". Baseline: " + list(c.baselineFolders)
            + ". \(improvements) improvement\(improvements == 1 ? "" : "s").")
        md += c.warnings.map { "\n> ⚠️ \(ReportText.cell($0))" }
        let several = c.currentFolders.count > 1
        md += ["", "| metric | better | baseline (median) | baseline range | current\(several ? " (median)" : "") |\(several ? " current range |" : "") change | tolerance | verdict |",
               "|---|:---:|---:|---:|---:|\(several ? "---:|" : "")---:|---:|---|"]
        for r in c.rows {
            let baseline = r.baselineMedian.map { value($0, r.unit) } ?? "–"
            let current = r.currentMedian.map { value($0, r.unit) } ?? "–"
            let currentRange = several ? " \(range(r.current)) |" : ""
            md.append("| \(ReportText.cell(r.name)) | \(r.polarity == .lowerIsBetter ? "↓" : "↑") | \(baseline) | \(range(r.baseline)) | \(current) |\(currentRange) \(change(r)) | \(tolerance(r)) | \(verdict(r)) |")
        }
        md += ["", "Verdict rule: a change counts only when every current run is outside the baseline runs' range widened by the tolerance (absolute + relative × value).",
               "`cost.<pipe>.rows_read.worst_combination`: the checked combination whose rows read grew most, as a multiple of the most any baseline run read for it; a regression beyond the tolerance and one granule (8192 rows)."]
        return md.joined(separator: "\n") + "\n"
    }

    static func list(_ folders: [String]) -> String {
        "\(folders.count) run\(folders.count == 1 ? "" : "s") (" + folders.map { "`\($0)`" }.joined(separator: ", ") + ")"
    }

    static func range(_ values: [Double]) -> String {
        guard let low = values.min(), let high = values.max() else { return "–" }
        return "\(number(low))–\(number(high)) (n=\(values.count))"
    }

    static func change(_ r: MetricComparison) -> String {
        guard let now = r.currentMedian, let median = r.baselineMedian else { return "–" }
        let delta = now - median
        let sign = delta >= 0 ? "+" : "−"
        guard median != 0 else { return delta == 0 ? "0" : "\(sign)\(number(abs(delta)))" }
        return "\(sign)\(number(abs(delta))) (\(sign)\(String(format: "%.1f", abs(delta / median) * 100))%)"
    }

    static func tolerance(_ r: MetricComparison) -> String {
        let rel = r.tolerance.relative > 0 ? String(format: "%g%%", r.tolerance.relative * 100) : ""
        let abs = r.tolerance.absolute > 0 ? "\(number(r.tolerance.absolute)) \(r.unit)" : ""
        return [rel, abs].filter { !$0.isEmpty }.joined(separator: " + ").nonEmpty ?? "0"
    }

    static func verdict(_ r: MetricComparison) -> String {
        switch r.verdict {
        case .regression: return "❌ regression" + (r.note.map { ": " + ReportText.cell($0) } ?? "")
        case .improvement: return "✅ improvement"
        case .unchanged: return "unchanged"
        case .noisy: return "noisy, not gated: " + ReportText.cell(r.note ?? "")
        case .missing: return "missing: " + ReportText.cell(r.note ?? "")
        }
    }

    static func value(_ v: Double, _ unit: String) -> String { "\(number(v)) \(unit)" }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? ReportText.grouped(Int64(v)) : ReportText.ms(v)
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
