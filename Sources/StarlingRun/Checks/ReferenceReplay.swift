import Foundation
import StarlingChecks
import StarlingJSON
import StarlingNet
import StarlingProject
import StarlingSim

/// The reference check, for any pipe: exactly the events the run sent (produced again from the
/// seed; it runs only when every one of them landed) are loaded into a second, isolated local target
/// serving the same project folder, and every checked (pipe, parameters) is asked of both. The
/// target must answer what the project's SQL implies for the data sent: lost or duplicated rows,
/// rows not yet visible, a deployed pipe that differs from the folder's, another engine version all
/// show. Rows compare with the oracles' rules (floats within tolerance, arrays as multisets); rows
/// that tie on every ORDER BY column may come in any order, and a pipe without ORDER BY is compared
/// as a multiset, with a warning.
public struct ReferenceReplay: Sendable {
    /// The target's queries.
    let target: TargetQueries
    let project: String
    /// Copy pipes run on the reference once it holds the events, as on the target.
    var copyPipes: [String] = []
    /// Endpoints whose answer the data does not decide, found upstream too (`Undetermined.constructs`).
    var undetermined: [String: String] = [:]

    public init(target: TargetQueries, project: String, copyPipes: [String] = [], undetermined: [String: String] = [:]) {
        self.target = target
        self.project = project
        self.copyPipes = copyPipes
        self.undetermined = undetermined
    }

    /// The pipes of `specs` no Swift oracle knows, that read a datasource the run sends (directly or
    /// through a materialized pipe's target): the reference is their only check.
    public static func unoraclePipes(_ specs: [String: PipeSpec], sent datasources: [String]) -> [String] {
        specs.keys.sorted().filter { !PipeOracles.pipes.contains($0) && datasource(of: specs[$0], sent: datasources) != nil }
    }

    /// The sent datasource a pipe's parameters draw from: the first it reads, else (a pipe reading
    /// a materialized target) the first the run sends.
    static func datasource(of spec: PipeSpec?, sent datasources: [String]) -> String? {
        guard let spec else { return nil }
        return spec.datasources.first(where: datasources.contains) ?? datasources.first
    }

    /// The check plan of `pipes`, drawn from the events sent as the oracle checks' plan is.
    public static func plan(pipes: [String], specs: [String: PipeSpec], scenario: Scenario, sent: SentEvents, seed: UInt64, budget: Int) -> [PlannedCheck] {
        let names = scenario.datasources.map(\.name)
        var columns: [String: [String]] = [:]
        var timeColumns: [String: String] = [:]
        for config in scenario.datasources { timeColumns[config.name] = config.timeColumn }
        for pipe in pipes {
            guard let spec = specs[pipe], let datasource = datasource(of: spec, sent: names),
                  let config = scenario.datasources.first(where: { $0.name == datasource }) else { continue }
            for parameter in spec.parameters {
                for column in parameter.candidateColumns where config.columns.contains(column) && !(columns[datasource] ?? []).contains(column) {
                    columns[datasource, default: []].append(column)
                }
            }
        }
        var profile = DataProfile(columns: columns, timeColumns: timeColumns)
        sent.forEachScheduled { profile.add(datasource: $0, $1) }
        return CheckPlanner.plan(pipes: pipes, specs: specs, profile: profile, seed: seed, budget: budget) { pipe in
            datasource(of: specs[pipe], sent: names)
        }
    }

    /// Starts the reference, loads the events, waits until it holds `landed`, compares every check.
    /// A reference that cannot be set up skips the checks with the reason (the run's verdict then
    /// says so), never fails them.
    public func run(_ checks: [PlannedCheck], specs: [String: PipeSpec], sent: SentEvents, landed: [String: Int], collapsing: Set<String> = [],
             settleTimeout: Double, warnings: RunWarnings) -> [CheckResult] {
        guard !checks.isEmpty else { return [] }
        for datasource in collapsing.sorted() where landed[datasource] != nil {
            warnings.add("\(datasource)'s engine merges rows that share a sorting key when parts merge: settle waited for its row count to hold steady, and a pipe reading it without FINAL may answer differently before and after a merge (on the target or on the reference)")
        }
        func skipped(_ reason: String) -> [CheckResult] {
            checks.map { CheckResult(pipe: $0.pipe, parameters: $0.parameters.description, status: .skipped, reason: "reference replay: \(reason)", purpose: $0.purpose) }
        }
        let local: LocalTarget
        do {
            local = try LocalTarget.start(LocalTarget.Options(project: project))
        } catch {
            return skipped("the reference target did not start: \(error.description)")
        }
        defer { local.stop() }
        let transport = SocketTransport(target: local.url)
        defer { transport.close() }
        let reference = TargetQueries(transport: transport, token: local.token, clock: target.clock, cancellation: target.cancellation)
        if let failure = load(sent, into: reference) { return skipped(failure) }
        let settled = CheckPhase(queries: reference).settle(landed: landed, timeout: settleTimeout, possiblyDuplicated: 0, collapsing: collapsing)
        if let failure = settled.failure { return skipped("the reference did not come to hold the events sent: \(failure.reason ?? "")") }
        if let failure = reference.runCopies(copyPipes).first { return skipped("a copy pipe failed on the reference: \(failure)") }
        // A pipe reading such a datasource without FINAL answers what the parts hold at the time,
        // merged or not: a difference there is not the target's fault.
        let mergeDependent = Set(checks.map(\.pipe).filter { pipe in
            guard let spec = specs[pipe], spec.datasources.contains(where: collapsing.contains) else { return false }
            return !spec.file.nodes.contains { $0.sql.contains(/(?i)\bFINAL\b/) }
        })
        let results = Expectations.concurrentMap(checks) { check in
            compare(check, orderBy: specs[check.pipe]?.orderBy ?? [], reference: reference, mergeDependent: mergeDependent.contains(check.pipe),
                    undetermined: undetermined[check.pipe] ?? specs[check.pipe].flatMap { Undetermined.construct(in: $0.file.nodes.map(\.sql)) },
                    limited: specs[check.pipe]?.file.output.sql.contains(/(?i)\bLIMIT\b/) ?? false)
        }
        for pipe in Set(checks.map(\.pipe)).sorted() where specs[pipe]?.orderBy.isEmpty == true {
            warnings.add("reference replay: \(pipe) has no ORDER BY, so its answers were compared as multisets (row order is not part of its contract)")
        }
        return results
    }

    /// POSTs every event sent to the reference, 4 MiB per request, each acknowledged (`wait=true`)
    /// before the next. Returns what went wrong, or nil.
    func load(_ sent: SentEvents, into reference: TargetQueries) -> String? {
        var encoders: [String: NDJSONEncoder] = [:]
        var failure: String?
        func post(_ datasource: String, _ body: [UInt8]) {
            guard failure == nil, !body.isEmpty else { return }
            let request = EventsRequest(datasource: datasource, token: reference.token, wait: true, body: body)
            do {
                let response = try reference.send(request.httpRequest)
                if !response.isSuccess { failure = "loading \(datasource): HTTP \(response.status) \(response.bodyText.prefix(200))" }
            } catch {
                failure = "loading \(datasource): \(error.description)"
            }
        }
        sent.forEachSent { datasource, event in
            guard failure == nil else { return }
            event.encode(into: &encoders[datasource, default: NDJSONEncoder()], timestamp: nil)
            if encoders[datasource]?.byteCount ?? 0 >= 4 << 20, let bytes = encoders[datasource]?.bytes {
                post(datasource, bytes)
                encoders[datasource]?.removeAllBytes()
            }
        }
        for (datasource, encoder) in encoders.sorted(by: { $0.key < $1.key }) { post(datasource, encoder.bytes) }
        return failure
    }

    /// `mergeDependent`: the pipe reads a datasource whose rows merge by sorting key, without FINAL;
    /// a differing answer is then skipped with the reason (it may differ only by merge timing).
    /// `undetermined`: what in the pipe's SQL leaves its answer open (`Undetermined.construct`).
    func compare(_ check: PlannedCheck, orderBy: [(column: String, descending: Bool)], reference: TargetQueries,
                 mergeDependent: Bool = false, undetermined: String? = nil, limited: Bool = false) -> CheckResult {
        func result(_ status: CheckResult.Status, _ reason: String? = nil, diff: String? = nil) -> CheckResult {
            CheckResult(pipe: check.pipe, parameters: check.parameters.description, status: status,
                        reason: reason.map { "reference replay: \($0)" }, diff: diff, purpose: check.purpose.isEmpty ? "reference replay" : "reference replay: \(check.purpose)")
        }
        do {
            let expected = try reference.pipe(check.pipe, parameters: check.parameters)
            let actual = try target.pipe(check.pipe, parameters: check.parameters)
            // An error on either side is a failure, never agreement: an endpoint that refuses every
            // request would otherwise "pass" against a reference that refuses them the same way.
            guard expected.status == 200 else {
                let target = actual.status == 200 ? "the target answered 200" : "the target: \(errorLine(actual.status, actual.body))"
                return result(.failed, "the reference refused the request (\(errorLine(expected.status, expected.body))); \(target)")
            }
            guard actual.status == 200 else { return result(.failed, "the target refused the request: \(errorLine(actual.status, actual.body))") }
            let answer = Self.expected(from: expected.rows, orderBy: orderBy.map(\.column))
            guard let diff = ResultComparison.diff(expected: answer, actual: actual.rows) else { return result(.passed) }
            // A LIMIT that cuts a run of rows tied on every ORDER BY column keeps any of them: at the
            // answer's edges only the ORDER BY columns are determined.
            if limited, !orderBy.isEmpty,
               let (reference, target) = Self.determinedAtEdges(expected.rows, actual.rows, orderBy: orderBy.map(\.column)),
               ResultComparison.diff(expected: Self.expected(from: reference, orderBy: orderBy.map(\.column)), actual: target) == nil {
                return result(.passed, "rows tied at the LIMIT's edge compared on their ORDER BY columns")
            }
            // Not the target's fault when the data does not determine the answer: the SQL says so,
            // or the reference itself answers differently when asked again.
            if let construct = undetermined {
                return result(.skipped, "\(check.pipe)'s answer is not determined by the data (its SQL uses \(construct)), and \(diff.differingRows) rows differ", diff: diff.description)
            }
            let again = try reference.pipe(check.pipe, parameters: check.parameters)
            if again.status == 200, ResultComparison.diff(expected: answer, actual: again.rows) != nil {
                return result(.skipped, "\(check.pipe)'s answer is not determined by the data: the reference answered differently when asked twice (ties under a LIMIT, or an order the SQL leaves open)", diff: diff.description)
            }
            if mergeDependent {
                return result(.skipped, "\(diff.differingRows) of \(max(diff.expectedRows, diff.actualRows)) rows differ, but \(check.pipe) reads a datasource whose engine merges rows sharing a sorting key without FINAL, so its answer depends on when parts merge: add FINAL (or argMax) to check it", diff: diff.description)
            }
            return result(.failed, "\(diff.differingRows) of \(max(diff.expectedRows, diff.actualRows)) rows differ from the reference's answer", diff: diff.description)
        } catch .neverAnswered(let attempts, let last) {
            return result(.skipped, "never answered (\(attempts) attempts, the last \(last))")
        } catch {
            return result(.failed, "\(error)")
        }
    }

    /// A refusal as one line (the `error` of the body, the token never included).
    func errorLine(_ status: Int, _ body: String) -> String {
        ServerErrorText.line(status: status, body: Array(body.utf8), token: target.token)
    }

    /// Both answers with the rows of the first and last runs tied on every ORDER BY column reduced
    /// to those columns (which members of a tie a LIMIT keeps is not determined); nil when the
    /// answers differ in length (then more than the edges differ).
    static func determinedAtEdges(_ reference: [[String: JSONValue]], _ target: [[String: JSONValue]],
                                  orderBy: [String]) -> ([[String: JSONValue]], [[String: JSONValue]])? {
        guard reference.count == target.count, let first = reference.first, let last = reference.last else { return nil }
        func tied(_ a: [String: JSONValue], _ b: [String: JSONValue]) -> Bool { orderBy.allSatisfy { a[$0] == b[$0] } }
        let head = reference.prefix { tied($0, first) }.count
        let tail = reference.reversed().prefix { tied($0, last) }.count
        func reduced(_ rows: [[String: JSONValue]]) -> [[String: JSONValue]] {
            rows.enumerated().map { index, row in
                index < head || index >= rows.count - tail ? row.filter { orderBy.contains($0.key) } : row
            }
        }
        return (reduced(reference), reduced(target))
    }

    /// The reference's rows as an expected result: runs of rows equal on every ORDER BY column are
    /// interchangeable (the whole answer without an ORDER BY).
    static func expected(from rows: [[String: JSONValue]], orderBy: [String]) -> ExpectedResult {
        let expected = rows.map { row in
            ExpectedRow(row.keys.sorted().map { ExpectedRow.Column($0, value(row[$0] ?? .null)) })
        }
        guard !rows.isEmpty else { return ExpectedResult(rows: []) }
        guard !orderBy.isEmpty else { return ExpectedResult(rows: expected, interchangeable: [0..<rows.count]) }
        var runs: [Range<Int>] = []
        var start = 0
        for index in 1...rows.count {
            let tied = index < rows.count && orderBy.allSatisfy { rows[index][$0] == rows[start][$0] }
            if !tied {
                if index - start > 1 { runs.append(start..<index) }
                start = index
            }
        }
        return ExpectedResult(rows: expected, interchangeable: runs)
    }

    /// A cell of the reference's answer as an expected value: numbers that are not integers within
    /// the float tolerance, arrays as multisets (groupArray's order is not defined).
    static func value(_ cell: JSONValue) -> ExpectedValue {
        switch cell {
        case .null: return .null
        case .bool(let b): return .integer(b ? 1 : 0)
        case .number(let text):
            if let n = Int64(text) { return .integer(n) }
            return Double(text).map(ExpectedValue.float) ?? .string(text)
        case .string(let s): return .string(s)
        case .array(let items): return .multiset(items.map(value))
        case .object: return .string(cell.description)
        }
    }
}
