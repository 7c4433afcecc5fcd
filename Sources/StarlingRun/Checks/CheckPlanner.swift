import Foundation
import StarlingChecks
import StarlingProject
import StarlingSim

/// One (pipe, parameters) combination a run verifies, and why it is in the plan.
public struct PlannedCheck: Sendable, Equatable {
    public var pipe: String
    public var parameters: PipeParameters
    /// What the combination exercises ("start on the first second with events", …).
    public var purpose: String
    /// Its answer, all rows of it, is where limits are placed (stage 2).
    var limitBase = false

    public init(pipe: String, parameters: PipeParameters, purpose: String) {
        self.pipe = pipe
        self.parameters = parameters
        self.purpose = purpose
    }
}

/// Draws a run's check plan from the data it sent (its `DataProfile`) and each pipe's parameters
/// (its `PipeSpec`): date bounds placed on seconds that hold events, at both ends, and windows of
/// one second, a minute, half the run, all of it and none of it; ids that exist — the most frequent,
/// a middle and a rare one, each also with bounds on seconds holding its own events — and one that
/// does not; small integers for the other integer parameters; pairwise combinations of all of
/// these; and, once the unlimited answers are known, limits of 1, just below, at and just above the
/// number of rows, and limits that cut inside a tie of the first ORDER BY column. Seeded and
/// reproducible, within a budget of combinations.
public enum CheckPlanner {
    /// The largest Int32: a LIMIT that keeps every row.
    static let unlimited = "2147483647"
    /// Derived limits each limit base may add in stage 2 (1, n − 1, n, n + 1 and a tie cut), plus
    /// one tie cut a limit-bearing pipe may add from any other answer.
    static let limitsPerBase = 5

    /// Stage 1: every combination but the derived limits. `budget` is for all pipes together
    /// (stage 2's limits included): each pipe's defaults and limit bases always, then every single
    /// option of every pipe taken in turn (so a pipe without parameters leaves its share to the
    /// others), then pairs in turn, until the budget is spent.
    /// `datasourceOf`: the datasource whose events a pipe's parameters are drawn from.
    public static func plan(pipes: [String], specs: [String: PipeSpec], profile: DataProfile, seed: UInt64, budget: Int,
                            datasourceOf: (String) -> String? = PipeOracles.datasource(of:)) -> [PlannedCheck] {
        guard !pipes.isEmpty else { return [] }
        var rng = Xoshiro256(seed: seed, stream: StreamTag("check-plan"), index: 0)
        var kept: [[PlannedCheck]] = []
        var singles: [[PlannedCheck]] = []
        var pairs: [[PlannedCheck]] = []
        for pipe in pipes {
            guard let spec = specs[pipe], let datasource = datasourceOf(pipe) else {
                kept.append([PlannedCheck(pipe: pipe, parameters: [:], purpose: "defaults")])
                singles.append([])
                pairs.append([])
                continue
            }
            let options = combinations(spec, datasource: datasource, profile: profile, using: &rng)
            kept.append(options.kept)
            singles.append(options.singles)
            pairs.append(options.pairs)
        }
        let reserved = kept.joined().reduce(0) { $0 + 1 + ($1.limitBase ? limitsPerBase : 0) }
            + pipes.indices.filter { kept[$0].contains(where: \.limitBase) }.count
        var room = budget - reserved
        var chosen = kept
        var seen = Set(kept.joined().map { "\($0.pipe)?\($0.parameters)" })
        for queues in [singles, pairs] {
            var queues = queues.map { $0[...] }
            while room > 0, queues.contains(where: { !$0.isEmpty }) {
                for i in queues.indices where room > 0 {
                    guard let next = queues[i].popFirst() else { continue }
                    if seen.insert("\(next.pipe)?\(next.parameters)").inserted {
                        chosen[i].append(next)
                        room -= 1
                    }
                }
            }
        }
        return Array(chosen.joined())
    }

    /// One pipe's combinations: those always kept (defaults, limit bases), single options (the
    /// groups interleaved, so a small share still touches each) and pairs (shuffled).
    static func combinations(_ spec: PipeSpec, datasource: String, profile: DataProfile,
                             using rng: inout Xoshiro256) -> (kept: [PlannedCheck], singles: [PlannedCheck], pairs: [PlannedCheck]) {
        let facets = Facets(spec, datasource: datasource, profile: profile)
        let base = facets.required
        func check(_ parts: [Facets.Option], _ purpose: String) -> PlannedCheck {
            var values = base.values
            for part in parts { values.merge(part.values) { _, new in new } }
            return PlannedCheck(pipe: spec.name, parameters: PipeParameters(values), purpose: purpose)
        }
        var kept: [PlannedCheck] = [check([], base.values.isEmpty ? "defaults" : "defaults (\(base.label))")]
        if let limit = facets.limitName {
            var all = check([], "every row (\(limit) at its maximum)")
            all.parameters[limit] = unlimited
            all.limitBase = true
            kept.append(all)
            if let half = facets.windows.first(where: { $0.label.hasPrefix("the first half") }) {
                var cut = check([half], "\(half.label), every row")
                cut.parameters[limit] = unlimited
                cut.limitBase = true
                kept.append(cut)
            }
        }
        let singles = interleave([facets.windows, facets.idWindows, facets.ids, facets.integers]).map { check([$0], $0.label) }
        var pairs: [PlannedCheck] = []
        for (a, b) in facets.pairs() { pairs.append(check([a, b], "\(a.label), \(b.label)")) }
        for i in pairs.indices.reversed() where i > 0 { pairs.swapAt(i, rng.below(i + 1)) }
        return (kept, singles, pairs)
    }

    /// Stage 2: for a base combination whose answer had `rows` (all of them), the limits 1, n − 1,
    /// n, n + 1, and a limit that cuts inside a tie of `orderColumn` when the rows have one.
    public static func limits(for base: PlannedCheck, rows: [ExpectedRow], limitName: String, orderColumn: String?) -> [PlannedCheck] {
        let n = rows.count
        guard n > 0 else { return [] }
        var limits: [(Int, String)] = [(1, "limit 1"), (n - 1, "a limit one below the \(n) rows"), (n, "a limit of exactly the \(n) rows"), (n + 1, "a limit one above the \(n) rows")]
        if let orderColumn, let tie = tiePosition(rows, orderColumn) {
            limits.insert((tie, tieLabel(orderColumn)), at: 0)
        }
        var seen = Set<Int>()
        let context = base.purpose.replacingOccurrences(of: ", every row", with: "").replacingOccurrences(of: "every row (\(limitName) at its maximum)", with: "defaults")
        return limits.filter { $0.0 > 0 && seen.insert($0.0).inserted }.map { limit, label in
            var parameters = base.parameters
            parameters[limitName] = "\(limit)"
            return PlannedCheck(pipe: base.pipe, parameters: parameters, purpose: "\(label) (\(context))")
        }
    }

    /// Stage 2, when no limit base had a tie: among the answers of `checks` (one pipe's, in plan
    /// order) the first that is complete (fewer rows than its limit) and has two rows tied on
    /// `orderColumn`, with a limit cutting between them.
    public static func tieCut(_ checks: [(check: PlannedCheck, rows: [ExpectedRow])], limitName: String, defaultLimit: Int?,
                              orderColumn: String) -> PlannedCheck? {
        for (check, rows) in checks {
            let limit = check.parameters[limitName].flatMap { Int($0) } ?? defaultLimit ?? .max
            guard rows.count < limit, let tie = tiePosition(rows, orderColumn) else { continue }
            var parameters = check.parameters
            parameters[limitName] = "\(tie)"
            return PlannedCheck(pipe: check.pipe, parameters: parameters, purpose: "\(tieLabel(orderColumn)) (\(check.purpose))")
        }
        return nil
    }

    static func tieLabel(_ column: String) -> String { "a limit cutting inside a tie on \(column)" }

    /// A limit k (1 ≤ k < rows) such that rows k and k + 1 (1-based) are equal on `column`.
    static func tiePosition(_ rows: [ExpectedRow], _ column: String) -> Int? {
        guard rows.count > 1 else { return nil }
        return (1..<rows.count).first { rows[$0 - 1][column] == rows[$0][column] }
    }

    static func interleave(_ groups: [[Facets.Option]]) -> [Facets.Option] {
        var result: [Facets.Option] = []
        for index in 0..<(groups.map(\.count).max() ?? 0) {
            for group in groups where index < group.count { result.append(group[index]) }
        }
        return result
    }
}

/// The values worth trying for each parameter of one pipe, drawn from the data.
struct Facets {
    struct Option: Sendable {
        var values: [String: String]
        var label: String
        /// The parameter(s) it sets, so pairs combine different ones.
        var group: String
    }

    var windows: [Option] = []
    var ids: [Option] = []
    /// An id with date bounds on seconds holding that id's own events: a bound on a second where
    /// the run has events but the id has none cannot tell `>=` from `>` in the id-filtered answer.
    var idWindows: [Option] = []
    var integers: [Option] = []
    /// Values every combination needs (required parameters).
    var required = Option(values: [:], label: "", group: "required")
    var limitName: String?

    init(_ spec: PipeSpec, datasource: String, profile: DataProfile) {
        let timeColumn = profile.timeColumns[datasource]
        let lower = spec.parameters.first { $0.kind == .dateTime && $0.lowerBoundOf == timeColumn }
        let upper = spec.parameters.first { $0.kind == .dateTime && $0.upperBoundOf == timeColumn }
        windows = Self.windows(lower: lower?.name, upper: upper?.name, seconds: profile.seconds(of: datasource))
        limitName = spec.parameters.first { $0.isLimit }?.name
        for parameter in spec.parameters where parameter.kind == .string {
            guard let column = profile.column(for: parameter, in: datasource) else { continue }
            let values = profile.values(of: column, in: datasource)
            var picks: [(value: String, occurrences: DataProfile.Occurrences, label: String)] = []
            if let frequent = values.first { picks.append((frequent.value, frequent.occurrences, "the most frequent \(column)")) }
            if values.count > 2 {
                let middle = values[values.count / 2]
                picks.append((middle.value, middle.occurrences, "a middle \(column)"))
            }
            if values.count > 1, let rare = values.last { picks.append((rare.value, rare.occurrences, "a rare \(column)")) }
            var options = picks.map {
                Option(values: [parameter.name: $0.value], label: "\($0.label) (\($0.occurrences.count) events)", group: parameter.name)
            }
            // Each id's first bound before any id's second, so a small budget bounds every id.
            idWindows += CheckPlanner.interleave(picks.enumerated().map { index, pick in
                // The required id is in every combination already; the others come with their value.
                let id = parameter.required && index == 0 ? [:] : [parameter.name: pick.value]
                return Self.windows(of: pick.label, pick.occurrences, lower: lower?.name, upper: upper?.name, id: id)
            })
            if parameter.required, let first = options.first {
                required = Option(values: first.values, label: first.label, group: "required")
                options.removeFirst()
            }
            options.append(Option(values: [parameter.name: Self.absent(column, among: values.map(\.value))], label: "a \(column) that does not exist", group: parameter.name))
            ids += options
        }
        // A required parameter nothing above gave a value (a date the pipe refuses to run without,
        // `{% if not defined(date_from) %}{{ error(...) }}`) is sent in every combination with the
        // value that covers all the data; windows still set their own bounds over it.
        let seconds = profile.seconds(of: datasource)
        for parameter in spec.parameters where parameter.required && required.values[parameter.name] == nil {
            guard let value = Self.covering(parameter, first: seconds.first, last: seconds.last) else { continue }
            required.values[parameter.name] = value
            required.label += (required.label.isEmpty ? "" : ", ") + "\(parameter.name) covering the data"
        }
        // Tinybird's DateTime64 parameters take only 'YYYY-MM-DD HH:MM:SS.fff'.
        let milliseconds = Set([lower, upper].compactMap { $0 }.filter { $0.function == "DateTime64" }.map(\.name))
        if !milliseconds.isEmpty {
            func withMilliseconds(_ option: Option) -> Option {
                var option = option
                for name in milliseconds { if let value = option.values[name] { option.values[name] = value + ".000" } }
                return option
            }
            windows = windows.map(withMilliseconds)
            idWindows = idWindows.map(withMilliseconds)
        }
        for parameter in spec.parameters where parameter.kind == .array {
            // A list of sent values: the most frequent alone, it with a rare one, and one that was never sent.
            guard let column = profile.column(for: parameter, in: datasource) else { continue }
            let values = profile.values(of: column, in: datasource)
            guard let frequent = values.first else { continue }
            ids.append(Option(values: [parameter.name: frequent.value], label: "[the most frequent \(column)]", group: parameter.name))
            if values.count > 1, let rare = values.last {
                ids.append(Option(values: [parameter.name: "\(frequent.value),\(rare.value)"], label: "[the most frequent and a rare \(column)]", group: parameter.name))
            }
            ids.append(Option(values: [parameter.name: Self.absent(column, among: values.map(\.value))], label: "[a \(column) that does not exist]", group: parameter.name))
        }
        for parameter in spec.parameters where parameter.kind == .integer && !parameter.isLimit {
            let fallback = Int(parameter.defaultValue ?? "") ?? 1
            for value in [1, 2, 3, 5] where value != fallback {
                integers.append(Option(values: [parameter.name: "\(value)"], label: "\(parameter.name) \(value)", group: parameter.name))
            }
        }
    }

    /// A value of `column` that was never sent: `no_such_<column>`, or for a column of whole numbers
    /// (a status code, a UInt16 the SQL compares the parameter with) the smallest one not sent.
    static func absent(_ column: String, among values: [String]) -> String {
        let numbers = Set(values.compactMap { Int64($0) })
        guard !values.isEmpty, numbers.count == values.count else { return "no_such_\(column)" }
        return "\((Int64(0)...).first { !numbers.contains($0) } ?? 0)"
    }

    /// A value of a required parameter that leaves every event in: a lower time bound on the first
    /// second with events, an upper one on the last, or the day after it for a date (which is which:
    /// the comparison, else the name),
    /// a number's default (else 1), a string's default. Nil when there is none to give.
    static func covering(_ parameter: PipeParameter, first: Int64?, last: Int64?) -> String? {
        let name = parameter.name.lowercased()
        let upper = parameter.upperBoundOf != nil
            || (parameter.lowerBoundOf == nil && ["to", "end", "until", "max", "before"].contains { name.hasSuffix($0) || name.contains($0 + "_") })
        switch parameter.kind {
        case .date, .dateTime:
            guard let second = upper ? last : first else { return parameter.defaultValue }
            // An upper date is the day after the last (a Date compared with a DateTime column
            // covers that day's hours only so).
            if parameter.kind == .date { return String(formatTimestamp(second + (upper ? 86_400 : 0)).prefix(10)) }
            let time = formatTimestamp(second)
            return parameter.function == "DateTime64" ? time + ".000" : time
        case .integer, .float: return parameter.defaultValue ?? "1"
        case .string, .boolean: return parameter.defaultValue
        case .array, .other: return nil
        }
    }

    /// Bounds on seconds that hold events (so inclusive vs exclusive shows at both ends), and
    /// windows of several sizes, one of them empty.
    static func windows(lower: String?, upper: String?, seconds: [Int64]) -> [Option] {
        guard let first = seconds.first, let last = seconds.last, lower != nil || upper != nil else { return [] }
        let middle = seconds[seconds.count / 2]
        var options: [Option] = []
        func add(_ start: Int64?, _ end: Int64?, _ label: String) {
            if let option = window(start, end, lower: lower, upper: upper, id: [:], label: label, group: "window") { options.append(option) }
        }
        add(first, nil, "start on the first second with events")
        add(nil, last, "end on the last second with events")
        add(middle, nil, "start on a second with events")
        add(nil, middle, "end on a second with events")
        add(first, middle, "the first half (bounds on seconds with events)")
        let afterMiddle = seconds.first { $0 > middle } ?? middle
        add(afterMiddle, last, "the second half")
        add(middle, middle, "one second")
        let minuteEnd = seconds.last { $0 <= middle + 59 } ?? middle
        add(middle, minuteEnd, "about a minute")
        add(first, last, "everything")
        add(last, nil, "start on the last second with events")
        add(nil, first, "end on the first second with events")
        add(last + 1, last + 3600, "a window with no events")
        return options
    }

    /// Windows bounded by seconds holding one id's events — its first, last and one picked second —
    /// each with that id.
    static func windows(of label: String, _ seen: DataProfile.Occurrences, lower: String?, upper: String?, id: [String: String]) -> [Option] {
        guard seen.count > 0, lower != nil || upper != nil else { return [] }
        var options: [Option] = []
        func add(_ start: Int64?, _ end: Int64?, _ window: String) {
            if let option = Self.window(start, end, lower: lower, upper: upper, id: id, label: "\(label), \(window)", group: "id window") {
                options.append(option)
            }
        }
        add(seen.first, nil, "start on its first second")
        add(nil, seen.last, "end on its last second")
        add(seen.picked, seen.last, "from one of its seconds to its last")
        add(seen.first, seen.picked, "from its first second to one of its seconds")
        add(seen.picked, seen.picked, "one second holding its events")
        add(seen.last, nil, "start on its last second")
        add(nil, seen.first, "end on its first second")
        return options
    }

    /// `id` with the bounds `start` and `end` on the parameters that take them; nil when a bound has
    /// no parameter to go to (the window would not be the one its label names) or there is none.
    static func window(_ start: Int64?, _ end: Int64?, lower: String?, upper: String?, id: [String: String],
                       label: String, group: String) -> Option? {
        var values = id
        if let start, let lower { values[lower] = formatTimestamp(start) }
        if let end, let upper { values[upper] = formatTimestamp(end) }
        let bounds = [start, end].compactMap { $0 }.count
        guard bounds > 0, values.count == id.count + bounds else { return nil }
        return Option(values: values, label: label, group: group)
    }

    /// Pairs of options of different parameters: windows with ids and integers, ids with integers.
    func pairs() -> [(Option, Option)] {
        var result: [(Option, Option)] = []
        for id in ids { for window in windows { result.append((id, window)) } }
        for integer in integers { for window in windows { result.append((integer, window)) } }
        for id in ids { for integer in integers where id.group != integer.group { result.append((id, integer)) } }
        return result
    }
}
