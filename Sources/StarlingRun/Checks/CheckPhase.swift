import Foundation
import StarlingChecks
import StarlingSim

/// After the load: settle (wait until the target holds every acknowledged row), then verify (ask
/// each pipe for each planned combination and compare with its oracle).
struct CheckPhase {
    let queries: TargetQueries

    /// Waits until each datasource holds exactly its acknowledged rows. Returns the seconds it took
    /// and, when it did not happen within `timeout`, a failed check saying how far off it was.
    func settle(landed: [String: Int], timeout: Double) -> (seconds: Double?, failure: CheckResult?) {
        let start = MonotonicClock.now()
        let deadline = start + UInt64(timeout * 1e9)
        var counts: [String: Int] = [:]
        while true {
            for (datasource, expected) in landed where counts[datasource] != expected {
                counts[datasource] = (try? queries.count(datasource)) ?? -1
            }
            if landed.allSatisfy({ counts[$0.key] == $0.value }) {
                return (Double(MonotonicClock.now() - start) / 1e9, nil)
            }
            if MonotonicClock.now() >= deadline { break }
            usleep(50_000)
        }
        let short = landed.sorted { $0.key < $1.key }.filter { counts[$0.key] != $0.value }
            .map { "\($0.key) holds \(counts[$0.key].map(String.init) ?? "?") of \($0.value) acknowledged rows" }
        let reason = "after \(Int(timeout)) s " + short.joined(separator: "; ")
            + (short.contains { (counts[$0] ?? 0) > (landed[$0] ?? 0) } ? " (more than sent: another writer? use a fresh target or --truncate)" : "")
        return (nil, CheckResult(pipe: "settle", parameters: "", status: .failed, reason: reason))
    }

    /// Compares every oracle with the pipe's answer.
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
                if let diff = ResultComparison.diff(expected: oracle.rows(), actual: answer.rows) {
                    results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .failed,
                                               reason: "\(diff.differingRows) of \(max(diff.expectedRows, diff.actualRows)) rows differ", diff: diff.description))
                } else {
                    results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .passed))
                }
            } catch {
                results.append(CheckResult(pipe: oracle.pipe, parameters: parameters, status: .failed, reason: "\(error)"))
            }
        }
        return results
    }
}
