import Foundation
import StarlingChecks
import StarlingNet
import StarlingSim
import Synchronization

/// After the load: settle (wait until the target holds every acknowledged row), then verify (ask
/// each pipe for each planned combination and compare with its oracle).
public struct CheckPhase: Sendable {
    let queries: TargetQueries

    public init(queries: TargetQueries) {
        self.queries = queries
    }

    /// Waits until each datasource holds exactly its acknowledged rows. Returns the seconds it took
    /// and, when it did not happen within `timeout`, a failed check saying how far off it was. More
    /// rows than acknowledged fail at once: rows never shrink, so they are duplicates (or another
    /// writer's), and `possiblyDuplicated` says how many resends could explain them.
    /// `collapsing`: datasources whose engine merges rows sharing a sorting key (ReplacingMergeTree…):
    /// they hold at most their acknowledged rows, and are settled once their count is non-zero and
    /// has not changed for `steadySeconds`.
    public func settle(landed: [String: Int], timeout: Double, possiblyDuplicated: Int, collapsing: Set<String> = [],
                steadySeconds: Double = 2) -> (seconds: Double?, failure: CheckResult?) {
        let clock = queries.clock
        let start = clock.now()
        let deadline = start + UInt64(timeout * 1e9)
        var counts: [String: Int] = [:]
        var steadySince: [String: UInt64] = [:]
        var unanswered: String?
        func settled(_ datasource: String, _ expected: Int) -> Bool {
            guard collapsing.contains(datasource) else { return counts[datasource] == expected }
            guard let count = counts[datasource], let since = steadySince[datasource] else { return false }
            return (count > 0 || expected == 0) && Double(clock.now() - since) / 1e9 >= steadySeconds
        }
        while true {
            for (datasource, expected) in landed where !settled(datasource, expected) {
                do {
                    let count = try queries.count(datasource)
                    if counts[datasource] != count { steadySince[datasource] = clock.now() }
                    counts[datasource] = count
                } catch {
                    unanswered = error.description
                }
            }
            let over = landed.sorted { $0.key < $1.key }.filter { (counts[$0.key] ?? 0) > $0.value }
            if !over.isEmpty {
                let extra = over.map { "\($0.key) holds \(counts[$0.key] ?? 0) rows, \((counts[$0.key] ?? 0) - $0.value) more than the \($0.value) acknowledged" }
                let cause = possiblyDuplicated > 0
                    ? "duplicated rows: \(possiblyDuplicated) events were resent after a send that may have been processed (the connection broke after the request went out)"
                    : "duplicated rows, or another writer: use a fresh target or --truncate"
                return (nil, CheckResult(pipe: "settle", parameters: "", status: .failed, reason: extra.joined(separator: "; ") + " — " + cause))
            }
            if landed.allSatisfy({ settled($0.key, $0.value) }) {
                return (Double(clock.now() - start) / 1e9, nil)
            }
            if clock.now() >= deadline || queries.cancellation?.isCancelled == true { break }
            clock.sleep(until: clock.now() + 50_000_000, unless: queries.cancellation)
        }
        let short = landed.sorted { $0.key < $1.key }.filter { !settled($0.key, $0.value) }
            .map { "\($0.key) holds \(counts[$0.key].map(String.init) ?? "?") of \($0.value) acknowledged rows" }
        // Said as it happened: stopped by an interrupt after the seconds it actually waited, or
        // out of its timeout.
        let waited = String(format: "%.1f", Double(clock.now() - start) / 1e9)
        let when = queries.cancellation?.isCancelled == true ? "interrupted after \(waited) s of settling: " : "after \(Int(timeout)) s "
        let reason = when + short.joined(separator: "; ") + (unanswered.map { " (last query: \($0))" } ?? "")
        return (nil, CheckResult(pipe: "settle", parameters: "", status: .failed, reason: reason))
    }

    /// Compares every expected answer with the pipe's, `concurrency` queries at a time. A target
    /// that never answers a combination (only 503s, 429s or dropped connections until the patience
    /// ran out) skips it, with the reason. Results keep the plan's order.
    /// `costQueries`: times each combination is asked in all, for its query cost (the check's own
    /// answer is the first).
    public func verify(_ expectations: Expectations, concurrency: Int = 4, costQueries: Int = 1) -> [CheckResult] {
        var results = expectations.refused.map {
            CheckResult(pipe: $0.check.pipe, parameters: $0.check.parameters.description, status: .skipped,
                        reason: "parameters refused: \($0.reason)", purpose: $0.check.purpose)
        }
        let entries = expectations.oracles
        let answers = Mutex<[Int: CheckResult]>([:])
        let next = Atomic<Int>(0)
        let group = ThreadGroup(clock: queries.clock)
        for _ in 0..<max(1, min(concurrency, entries.count)) {
            group.spawn { [queries] in
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < entries.count else { return }
                    let result = Self.check(entries[index].check, entries[index].oracle, queries: queries, costQueries: costQueries)
                    answers.withLock { $0[index] = result }
                }
            }
        }
        group.wait()
        let collected = answers.withLock { $0 }
        results += entries.indices.compactMap { collected[$0] }
        return results
    }

    static func check(_ check: PlannedCheck, _ oracle: AnyPipeOracle, queries: TargetQueries, costQueries: Int = 1) -> CheckResult {
        let parameters = check.parameters.description
        var cost: QueryCost?
        func result(_ status: CheckResult.Status, _ reason: String? = nil, diff: String? = nil) -> CheckResult {
            CheckResult(pipe: check.pipe, parameters: parameters, status: status, reason: reason, diff: diff, purpose: check.purpose, cost: cost)
        }
        if let reason = oracle.unsupportedReason { return result(.skipped, reason) }
        do {
            let answer = try queries.pipe(check.pipe, parameters: check.parameters)
            guard answer.status == 200 else { return result(.failed, "HTTP \(answer.status): \(answer.body.prefix(300))") }
            if let first = answer.statistics {
                var samples = [first]
                for _ in 1..<max(1, costQueries) {
                    if let more = queries.statistics(check.pipe, parameters: check.parameters) { samples.append(more) }
                }
                cost = Self.cost(samples)
            }
            guard let diff = ResultComparison.diff(expected: oracle.result(), actual: answer.rows) else { return result(.passed) }
            return result(.failed, "\(diff.differingRows) of \(max(diff.expectedRows, diff.actualRows)) rows differ", diff: diff.description)
        } catch .neverAnswered(let attempts, let last) {
            return result(.skipped, "the target never answered (\(attempts) attempts, the last \(last))")
        } catch {
            return result(.failed, "\(error)")
        }
    }

    /// The medians of the samples' rows, bytes and time (rows and bytes read can move with the
    /// target's merges between queries; the median keeps one odd answer out).
    static func cost(_ samples: [PipeStatistics]) -> QueryCost {
        func median<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }
        return QueryCost(rowsRead: median(samples.map(\.rowsRead)), bytesRead: median(samples.map(\.bytesRead)),
                         elapsedMs: median(samples.map(\.elapsedSeconds)) * 1000, queries: samples.count)
    }
}
