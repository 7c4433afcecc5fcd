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

    /// A set of oracles made (and fed) elsewhere.
    init(entries: [(check: PlannedCheck, oracle: AnyPipeOracle)], refused: [(check: PlannedCheck, reason: String)]) {
        for entry in entries {
            byDatasource[entry.oracle.datasource, default: []].append(self.entries.count)
            self.entries.append(entry)
        }
        self.refused = refused
    }

    /// Entries `i` with `i % parts == part` (their own set, refusals left out), to be fed apart.
    func part(_ part: Int, of parts: Int) -> OracleSet {
        var set = OracleSet([])
        for i in stride(from: part, to: entries.count, by: parts) {
            set.byDatasource[entries[i].oracle.datasource, default: []].append(set.entries.count)
            set.entries.append(entries[i])
        }
        return set
    }

    /// This set with its entries replaced by the parts' (fed) ones: the inverse of `part(_:of:)`.
    func reassembled(from parts: [OracleSet]) -> OracleSet {
        var set = self
        for (p, fed) in parts.enumerated() {
            for (k, entry) in fed.entries.enumerated() { set.entries[p + k * parts.count] = entry }
        }
        return set
    }

    public mutating func consume(datasource: String, _ event: GeneratedEvent) {
        for i in byDatasource[datasource] ?? [] {
            switch event {
            case .visit(let e): entries[i].oracle.consume(e)
            case .commerce(let e): entries[i].oracle.consume(e)
            case .touchpoint(let e): entries[i].oracle.consume(e)
            case .row: break  // spec-described datasources are checked by the reference replay
            }
        }
    }
}
