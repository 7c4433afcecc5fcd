import Foundation
import StarlingChecks
import StarlingSim

/// After the load: settle (wait until the target holds every acknowledged row), then verify (ask
/// each pipe for each planned combination and compare with its oracle).
struct CheckPhase {
    let queries: TargetQueries

    /// Waits until each datasource holds exactly its acknowledged rows. Returns the seconds it took
    /// and, when it did not happen within `timeout`, a failed check saying how far off it was. More
    /// rows than acknowledged fail at once: rows never shrink, so they are duplicates (or another
    /// writer's), and `possiblyDuplicated` says how many resends could explain them.
    func settle(landed: [String: Int], timeout: Double, possiblyDuplicated: Int) -> (seconds: Double?, failure: CheckResult?) {
        let clock = queries.clock
        let start = clock.now()
        let deadline = start + UInt64(timeout * 1e9)
        var counts: [String: Int] = [:]
        var unanswered: String?
        while true {
            for (datasource, expected) in landed where counts[datasource] != expected {
                do {
                    counts[datasource] = try queries.count(datasource)
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
            if landed.allSatisfy({ counts[$0.key] == $0.value }) {
                return (Double(clock.now() - start) / 1e9, nil)
            }
            if clock.now() >= deadline || queries.cancellation?.isCancelled == true { break }
            clock.sleep(until: clock.now() + 50_000_000, unless: queries.cancellation)
        }
        let short = landed.sorted { $0.key < $1.key }.filter { counts[$0.key] != $0.value }
            .map { "\($0.key) holds \(counts[$0.key].map(String.init) ?? "?") of \($0.value) acknowledged rows" }
        let reason = "after \(Int(timeout)) s " + short.joined(separator: "; ") + (unanswered.map { " (last query: \($0))" } ?? "")
        return (nil, CheckResult(pipe: "settle", parameters: "", status: .failed, reason: reason))
    }

    /// Compares every oracle with the pipe's answer. A target that never answers a combination
    /// (only 503s, 429s or dropped connections until the patience ran out) skips it, with the reason.
    func verify(_ oracles: OracleSet) -> [CheckResult] {
        var results = oracles.refused.map {
            CheckResult(pipe: $0.pipe, parameters: $0.parameters.description, status: .skipped, reason: "parameters refused: \($0.reason)")
        }
        for oracle in oracles.oracles {
            let parameters = oracle.parameters.description
            if let reason = oracle.unsupportedReason {
                results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .skipped, reason: reason))
                continue
            }
            do {
                let answer = try queries.pipe(oracle.pipe, parameters: oracle.parameters)
                guard answer.status == 200 else {
                    results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .failed, reason: "HTTP \(answer.status): \(answer.body.prefix(300))"))
                    continue
                }
                if let diff = ResultComparison.diff(expected: oracle.result(), actual: answer.rows) {
                    results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .failed,
                                               reason: "\(diff.differingRows) of \(max(diff.expectedRows, diff.actualRows)) rows differ", diff: diff.description))
                } else {
                    results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .passed))
                }
            } catch .neverAnswered(let attempts, let last) {
                results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .skipped,
                                           reason: "the target never answered (\(attempts) attempts, the last \(last))"))
            } catch {
                results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .failed, reason: "\(error)"))
            }
        }
        return results
    }
}
