extension ProfileReport {
    /// The report as `starling profile` prints it: per datasource a table of the declared targets,
    /// the other statistics, the impossibilities with examples, then the verdict.
    public var text: String {
        var lines = ["profile of \(source)"]
        for profile in datasources { lines += [""] + profile.textLines }
        if !notProfiled.isEmpty {
            lines += ["", "not profiled:"] + notProfiled.map { "  \($0.name): \($0.reason)" }
        }
        lines += ["", verdictLine]
        return lines.joined(separator: "\n")
    }

    var verdictLine: String {
        let failures = datasources.compactMap { profile -> String? in
            let out = profile.targets.count(where: { $0.verdict == .out })
            let found = profile.impossibilities.filter { $0.count > 0 }.map(\.name)
            guard out > 0 || !found.isEmpty else { return nil }
            var parts: [String] = []
            if out > 0 { parts.append("\(out) target\(out == 1 ? "" : "s") OUT") }
            if !found.isEmpty { parts.append(found.joined(separator: ", ")) }
            return "\(profile.source): " + parts.joined(separator: "; ")
        }
        return failures.isEmpty
            ? "verdict: passed — every declared target within tolerance, no impossibility"
            : "verdict: failed\n" + failures.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension DatasourceProfile {
    var textLines: [String] {
        var lines = ["\(datasource) — \(source)"]
        let span = first.map { f in ", \(f) … \(last ?? f)" } ?? ""
        let entities = counts.map { "\(ProfileText.integer($0.value)) \($0.name)" }.joined(separator: ", ")
        lines.append("  \(ProfileText.integer(rows)) rows\(span); \(entities)")

        lines += ["", ProfileText.row(["target", "declared", "measured", "tolerance", "n", "verdict"], ProfileText.targetColumns)]
        if targets.isEmpty { lines.append("  (none declared)") }
        for target in targets {
            let tolerance = target.allowed.map { "±\(ProfileText.number($0)) (\(target.rule == "sampling" ? "3σ" : ProfileText.percent(target.tolerance)))" } ?? "—"
            let verdict = target.verdict == .notMeasured ? "not measured: \(target.note ?? "")" : target.verdict.rawValue
            lines.append(ProfileText.row([target.name, ProfileText.number(target.declared), target.measured.map(ProfileText.number) ?? "—", tolerance,
                                          ProfileText.integer(target.n), verdict], ProfileText.targetColumns))
        }

        lines += ["", ProfileText.row(["other statistics", "measured", "n", "meaning"], ProfileText.statisticColumns)]
        if statistics.isEmpty { lines.append("  (none: a target names each)") }
        for statistic in statistics {
            let meaning = statistic.meaning + (statistic.note.map { " (\($0))" } ?? "")
            lines.append(ProfileText.row([statistic.name, statistic.value.map(ProfileText.number) ?? "—", ProfileText.integer(statistic.n), meaning], ProfileText.statisticColumns))
        }

        lines += ["", ProfileText.row(["impossibilities", "count", "examples"], ProfileText.impossibilityColumns)]
        for impossibility in impossibilities {
            let examples = impossibility.examples.isEmpty ? [""] : impossibility.examples
            for (i, example) in examples.enumerated() {
                let head = i == 0 ? [impossibility.name, ProfileText.integer(impossibility.count)] : ["", ""]
                lines.append(ProfileText.row(head + [example], ProfileText.impossibilityColumns))
            }
            if let note = impossibility.note { lines.append(ProfileText.row(["", "", "(\(note))"], ProfileText.impossibilityColumns)) }
        }
        if !notes.isEmpty { lines += [""] + notes.map { "  note: \($0)" } }
        return lines
    }
}

/// Number and column formatting for the report (no Foundation: the module stays pure).
enum ProfileText {
    /// A table's column widths, and which columns hold text (left-aligned; numbers are right-aligned).
    struct Columns {
        var widths: [Int]
        var text: Set<Int>
    }

    static let targetColumns = Columns(widths: [34, 10, 10, 18, 12, 0], text: [0, 3, 5])
    static let statisticColumns = Columns(widths: [34, 10, 12, 0], text: [0, 3])
    static let impossibilityColumns = Columns(widths: [34, 10, 0], text: [0, 2])

    /// Cells padded to their column's width, two spaces apart; the last cell as it is.
    static func row(_ cells: [String], _ columns: Columns) -> String {
        var line = " "
        for (i, cell) in cells.enumerated() {
            let pad = String(repeating: " ", count: max(0, columns.widths[i] - cell.count))
            line += " " + (i == cells.count - 1 ? cell : columns.text.contains(i) ? cell + pad : pad + cell)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    /// 4 decimals below 100, 1 above (rates, medians and ratios alike).
    static func number(_ value: Double) -> String {
        fixed(value, decimals: abs(value) < 100 ? 4 : 1)
    }

    static func percent(_ fraction: Double) -> String {
        let text = fixed(fraction * 100, decimals: 2)
        var trimmed = Substring(text)
        while trimmed.contains("."), trimmed.last == "0" || trimmed.last == "." { trimmed = trimmed.dropLast() }
        return trimmed + "%"
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        let scale = (0..<decimals).reduce(1.0) { r, _ in r * 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale), fraction = units % Int64(scale)
        var digits = String(fraction)
        digits = String(repeating: "0", count: decimals - digits.count) + digits
        return (value < 0 && units != 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + digits : "")
    }

    /// `12,345`.
    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
