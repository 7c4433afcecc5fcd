import StarlingChecks
import StarlingSim

/// The oracles of a check plan, fed the events their datasources received.
public struct OracleSet: Sendable {
    public private(set) var entries: [(check: PlannedCheck, oracle: AnyPipeOracle)] = []
    var byDatasource: [String: [Int]] = [:]
    /// Combinations whose parameters the oracle (like the template) refused: reported, not checked.
    public private(set) var refused: [(check: PlannedCheck, reason: String)] = []

    public init(_ checks: [PlannedCheck]) {
        for check in checks {
            do {
                let oracle = try PipeOracles.make(pipe: check.pipe, parameters: check.parameters)
                byDatasource[oracle.datasource, default: []].append(entries.count)
                entries.append((check, oracle))
            } catch {
                refused.append((check, error.description))
            }
        }
    }

    public mutating func consume(datasource: String, _ event: GeneratedEvent) {
        for i in byDatasource[datasource] ?? [] {
            switch event {
            case .visit(let e): entries[i].oracle.consume(e)
            case .commerce(let e): entries[i].oracle.consume(e)
            case .touchpoint(let e): entries[i].oracle.consume(e)
            }
        }
    }
}
