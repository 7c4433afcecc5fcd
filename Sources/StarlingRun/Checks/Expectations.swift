import Foundation
import StarlingChecks
import StarlingProject
import StarlingSim
import Synchronization

/// What every checked combination must answer, computed from the events that were sent: a data
/// profile over all of them, the check plan drawn from it, the oracles fed the events (pass 2), the
/// limits placed from the unlimited answers (copies of the fed oracles given the new limit; a third
/// pass only for those that cannot take one), and the semantic coverage of the plan.
public struct Expectations: Sendable {
    public var oracles: [(check: PlannedCheck, oracle: AnyPipeOracle)]
    public var refused: [(check: PlannedCheck, reason: String)]
    /// Per pipe, each rare case its semantics depend on and the most any checked combination's data
    /// exercised it (0: never).
    public var coverage: [String: [String: Int]]

    /// - Parameters:
    ///   - scheduled: every event of the run (all shards'), for the profile the plan is drawn from.
    ///   - sent: the events this process sent, for the oracles. It is called from several threads
    ///     at once (each produces the events again), so the oracles are fed on every core.
    ///   - relimit: stage 2's limits answered from stage 1's fed oracles where they can be (false:
    ///     all fed in a pass of their own, as the tests compare).
    public static func compute(pipes: [String], specs: [String: PipeSpec], seed: UInt64, budget: Int,
                               scheduled: ((String, GeneratedEvent) -> Void) -> Void,
                               sent: @Sendable ((String, GeneratedEvent) -> Void) -> Void,
                               relimit: Bool = true) -> Expectations {
        var columns: [String: [String]] = [:]
        for pipe in pipes {
            guard let spec = specs[pipe], let datasource = PipeOracles.datasource(of: pipe) else { continue }
            for column in spec.parameters.compactMap(\.equalsColumn) where !(columns[datasource] ?? []).contains(column) {
                columns[datasource, default: []].append(column)
            }
        }
        var profile = DataProfile(columns: columns)
        scheduled { profile.add(datasource: $0, $1) }

        let stage1 = CheckPlanner.plan(pipes: pipes, specs: specs, profile: profile, seed: seed, budget: budget)
        let first = fed(stage1, sent)
        let firstRows = concurrentMap(first.entries) { $0.oracle.rows() }

        var stage2: [PlannedCheck] = []
        for ((check, _), rows) in zip(first.entries, firstRows) where check.limitBase {
            guard let spec = specs[check.pipe], let limit = spec.parameters.first(where: \.isLimit)?.name else { continue }
            stage2 += CheckPlanner.limits(for: check, rows: rows, limitName: limit, orderColumn: spec.orderBy.first?.column)
        }
        // A pipe whose limit bases had no tie gets its tie cut from another answer that has one.
        for pipe in pipes {
            guard let spec = specs[pipe], let limit = spec.parameters.first(where: \.isLimit),
                  let column = spec.orderBy.first?.column else { continue }
            let label = CheckPlanner.tieLabel(column)
            guard !stage2.contains(where: { $0.pipe == pipe && $0.purpose.hasPrefix(label) }) else { continue }
            let answers = zip(first.entries, firstRows).filter { $0.0.check.pipe == pipe }.map { ($0.0.check, $0.1) }
            if let cut = CheckPlanner.tieCut(answers, limitName: limit.name, defaultLimit: limit.defaultValue.flatMap { Int($0) }, orderColumn: column) {
                stage2.append(cut)
            }
        }
        let known = Set(stage1.map { "\($0.pipe)?\($0.parameters)" })
        stage2 = stage2.filter { !known.contains("\($0.pipe)?\($0.parameters)") }
        let second = relimit ? relimited(stage2, from: first, specs: specs, sent: sent) : stage2.isEmpty ? OracleSet([]) : fed(stage2, sent)

        let all = first.entries + second.entries
        let rows = firstRows + concurrentMap(second.entries) { $0.oracle.rows() }
        return Expectations(oracles: all, refused: first.refused + second.refused,
                            coverage: coverage(of: all, rows: rows, specs: specs, pipes: pipes))
    }

    /// `transform` of each element, on every core (the oracles' answers sort their groups).
    static func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let results = Mutex<[Int: R]>([:])
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            for i in stride(from: part, to: items.count, by: parts) {
                let result = transform(items[i])
                results.withLock { $0[i] = result }
            }
        }
        let all = results.withLock { $0 }
        return items.indices.map { all[$0]! }
    }

    /// The oracles of `checks` fed every event `sent` produces: split round-robin over the cores,
    /// each part fed by its own thread from its own pass over the events (producing the events
    /// again costs far less than feeding the oracles), then put back in order. A handful of checks
    /// are fed in one pass.
    static func fed(_ checks: [PlannedCheck], _ sent: @Sendable ((String, GeneratedEvent) -> Void) -> Void) -> OracleSet {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, checks.count / 8))
        guard parts > 1 else {
            var set = OracleSet(checks)
            sent { set.consume(datasource: $0, $1) }
            return set
        }
        let all = OracleSet(checks)
        let fedParts = Mutex<[Int: OracleSet]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var set = all.part(part, of: parts)
            sent { set.consume(datasource: $0, $1) }
            fedParts.withLock { $0[part] = set }
        }
        let sets = fedParts.withLock { $0 }
        return all.reassembled(from: (0..<parts).map { sets[$0] ?? all.part($0, of: parts) })
    }

    /// Stage 2's combinations (limits placed from stage 1's answers), in the plan's order: each one
    /// that differs from a stage-1 combination only in the pipe's LIMIT is that combination's fed
    /// oracle given the new limit (a copy); the others, and those whose oracle cannot take another
    /// limit, are fed in a pass of their own. (A second pass over every event for a handful of
    /// limits was a third of the expected answers' time.)
    static func relimited(_ checks: [PlannedCheck], from first: OracleSet, specs: [String: PipeSpec],
                          sent: @Sendable ((String, GeneratedEvent) -> Void) -> Void) -> OracleSet {
        func unlimited(_ check: PlannedCheck) -> String {
            var parameters = check.parameters
            if let limit = specs[check.pipe]?.parameters.first(where: \.isLimit)?.name { parameters[limit] = nil }
            return "\(check.pipe)?\(parameters)"
        }
        var bases: [String: Int] = [:]
        for (index, entry) in first.entries.enumerated() where bases[unlimited(entry.check)] == nil { bases[unlimited(entry.check)] = index }
        var derived: [Int: (check: PlannedCheck, oracle: AnyPipeOracle)] = [:]
        var refused: [Int: (check: PlannedCheck, reason: String)] = [:]
        var unfed: [PlannedCheck] = []
        for (index, check) in checks.enumerated() {
            do {
                if let base = bases[unlimited(check)], let oracle = try first.entries[base].oracle.relimited(to: check.parameters) {
                    derived[index] = (check, oracle)
                } else {
                    unfed.append(check)
                }
            } catch {
                refused[index] = (check, error.description)
            }
        }
        // Put back in the plan's order. The fed set keeps its checks' order: each one it was given
        // is, in turn, its next entry or its next refusal.
        let fedRest = unfed.isEmpty ? OracleSet([]) : fed(unfed, sent)
        var fedEntries = fedRest.entries[...]
        var fedRefused = fedRest.refused[...]
        var entries: [(check: PlannedCheck, oracle: AnyPipeOracle)] = []
        var refusals: [(check: PlannedCheck, reason: String)] = []
        for (index, check) in checks.enumerated() {
            if let entry = derived[index] {
                entries.append(entry)
            } else if let refusal = refused[index] {
                refusals.append(refusal)
            } else if fedEntries.first?.check == check {
                entries.append(fedEntries.removeFirst())
            } else if fedRefused.first?.check == check {
                refusals.append(fedRefused.removeFirst())
            }
        }
        return OracleSet(entries: entries, refused: refusals)
    }

    /// The oracles' own cases, plus those every pipe of that shape has: an empty answer (for a pipe
    /// with filters), a limit cutting inside a tie of its first ORDER BY column (for a pipe with a
    /// LIMIT parameter), and for each column the oracle computes as `round(ratio, 2)`, a value whose rounding
    /// shows (more than two decimals before it, a non-zero second decimal after it) — otherwise a
    /// dropped or coarser rounding passes unseen.
    static func coverage(of oracles: [(check: PlannedCheck, oracle: AnyPipeOracle)], rows answers: [[ExpectedRow]],
                         specs: [String: PipeSpec], pipes: [String]) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for pipe in pipes {
            guard let spec = specs[pipe] else { continue }
            var cases: [String: Int] = [:]
            if spec.parameters.contains(where: { !$0.isLimit }) { cases["an empty answer"] = 0 }
            if spec.parameters.contains(where: \.isLimit), let column = spec.orderBy.first?.column {
                cases["a limit cutting inside a tie on \(column)"] = 0
            }
            result[pipe] = cases
        }
        let oracleCases = concurrentMap(oracles) { $0.oracle.coverage() }
        for (index, ((check, oracle), rows)) in zip(oracles, answers).enumerated() {
            var cases = result[check.pipe] ?? [:]
            for (name, count) in oracleCases[index] { cases[name] = max(cases[name] ?? 0, count) }
            if cases["an empty answer"] != nil, rows.isEmpty { cases["an empty answer", default: 0] += 1 }
            if check.purpose.hasPrefix("a limit cutting inside a tie"), let key = cases.keys.first(where: { $0.hasPrefix("a limit cutting inside a tie") }) {
                cases[key, default: 0] += 1
            }
            let ratios = Set(oracle.roundedRatios)
            for column in ratios { cases[Self.roundingCase(column), default: 0] += 0 }
            for row in rows {
                for cell in row.columns where ratios.contains(cell.name) {
                    if Self.roundingShows(cell.value) == true { cases[Self.roundingCase(cell.name), default: 0] += 1 }
                }
            }
            result[check.pipe] = cases
        }
        return result
    }

    static func roundingCase(_ column: String) -> String { "\(column) with a value whose rounding to 2 decimals shows" }

    /// For a `round(x, 2)` cell: whether x has more than two decimals and round(x, 2) a non-zero
    /// second one (nil for other cells).
    static func roundingShows(_ value: ExpectedValue) -> Bool? {
        switch value {
        case .rounded2(let x), .rounded2OfFloatSum(let x):
            let rounded = ClickHouseMath.round2(x)
            let cents = (abs(rounded) * 100).rounded()
            return abs(x - rounded) > 1e-9 * max(1, abs(x)) && cents.truncatingRemainder(dividingBy: 10) != 0
        default:
            return nil
        }
    }
}
