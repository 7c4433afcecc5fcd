import Foundation
import StarlingRun

/// `junit.xml`: one test case per threshold and per check (skipped checks as `<skipped>`), plus one
/// for the run's validity, so CI systems list them with their messages.
public enum JUnitReport {
    struct Case {
        var className: String
        var name: String
        var outcome: Outcome
    }

    enum Outcome {
        case passed
        case failed(message: String, detail: String?)
        case skipped(message: String)
    }

    public static func render(_ summary: RunSummary) -> String {
        let prefix = "starling.\(summary.scenario)"
        let validity = Case(
            className: "\(prefix).run", name: "run is valid",
            outcome: summary.valid ? .passed : .failed(message: "the run is invalid", detail: summary.invalidReasons.joined(separator: "\n")))
        let thresholds = summary.thresholds.map { t in
            Case(className: "\(prefix).thresholds", name: "\(t.metric) \(t.condition)",
                 outcome: t.passed ? .passed : .failed(message: "\(t.metric) = \(ReportText.thresholdValue(t)), expected \(t.condition)", detail: t.reason))
        }
        let checks = summary.checks.map { c in
            let name = c.parameters.isEmpty ? c.pipe : "\(c.pipe)?\(c.parameters)"
            let outcome: Outcome
            switch c.status {
            case .passed: outcome = .passed
            case .failed: outcome = .failed(message: c.reason ?? "the answer differs from the oracle", detail: c.diff)
            case .skipped: outcome = .skipped(message: c.reason ?? "skipped")
            }
            return Case(className: "\(prefix).checks.\(c.pipe)", name: name, outcome: outcome)
        }
        let suites = [("run", [validity]), ("thresholds", thresholds), ("checks", checks)]
        let all = suites.flatMap(\.1)
        let time = String(format: "%.3f", summary.elapsedSeconds)
        var xml = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"\(ReportText.xml(prefix))\" \(counts(all)) time=\"\(time)\">"]
        for (name, cases) in suites {
            xml.append("  <testsuite name=\"\(ReportText.xml("\(prefix).\(name)"))\" \(counts(cases)) time=\"\(time)\" timestamp=\"\(ReportText.xml(summary.startedAt))\">")
            xml += cases.map(element)
            xml.append("  </testsuite>")
        }
        xml.append("</testsuites>")
        return xml.joined(separator: "\n") + "\n"
    }

    static func counts(_ cases: [Case]) -> String {
        var failures = 0
        var skipped = 0
        for c in cases {
            switch c.outcome {
            case .passed: break
            case .failed: failures += 1
            case .skipped: skipped += 1
            }
        }
        return "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
    }

    static func element(_ c: Case) -> String {
        let open = "    <testcase classname=\"\(ReportText.xml(c.className))\" name=\"\(ReportText.xml(c.name))\" time=\"0\""
        switch c.outcome {
        case .passed:
            return open + "/>"
        case .skipped(let message):
            return open + ">\n      <skipped message=\"\(ReportText.xml(message))\"/>\n    </testcase>"
        case .failed(let message, let detail):
            let body = ReportText.xml(detail ?? message)
            return open + ">\n      <failure message=\"\(ReportText.xml(message))\" type=\"failure\">\(body)</failure>\n    </testcase>"
        }
    }
}
