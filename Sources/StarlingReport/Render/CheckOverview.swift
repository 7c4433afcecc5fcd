import StarlingRun

/// Per pipe: how its checks went and which of the rare cases its semantics depend on the run's data
/// exercised (the oracles declare them; see `RunSummary.coverage`). A "passed" on a pipe whose
/// cases were never exercised is weaker than it looks, so every report says which.
struct CheckOverview {
    struct Pipe {
        var name: String
        var passed = 0, failed = 0, skipped = 0
        /// Declared cases and how often the data exercised each (the most any check's data did).
        var cases: [(name: String, count: Int)] = []
        var neverExercised: [String] { cases.filter { $0.count == 0 }.map(\.name) }
    }

    var pipes: [Pipe]

    init(_ s: RunSummary) {
        var byName: [String: Pipe] = [:]
        for check in s.checks where check.pipe != "*" {
            var pipe = byName[check.pipe] ?? Pipe(name: check.pipe)
            switch check.status {
            case .passed: pipe.passed += 1
            case .failed: pipe.failed += 1
            case .skipped: pipe.skipped += 1
            }
            byName[check.pipe] = pipe
        }
        for (name, cases) in s.coverage ?? [:] {
            var pipe = byName[name] ?? Pipe(name: name)
            pipe.cases = cases.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            byName[name] = pipe
        }
        pipes = byName.values.sorted { $0.name < $1.name }
    }

    var declared: Int { pipes.reduce(0) { $0 + $1.cases.count } }
    var exercised: Int { pipes.reduce(0) { $0 + $1.cases.count - $1.neverExercised.count } }

    /// "coverage: 47 of 50 declared cases exercised" and one line per pipe with cases never exercised.
    var consoleLines: [String] {
        guard declared > 0 else { return [] }
        var lines = ["coverage: \(exercised) of \(declared) declared cases exercised by the data"]
        for pipe in pipes where !pipe.neverExercised.isEmpty {
            lines.append("  never exercised in \(pipe.name): " + pipe.neverExercised.joined(separator: "; "))
        }
        return lines
    }
}
