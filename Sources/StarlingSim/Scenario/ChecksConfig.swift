/// What a run verifies after (and during) the load: each pipe's answers against its oracle, how long
/// events take to become visible, and the scenario's thresholds.
public struct ChecksConfig: Sendable {
    /// Compare pipe answers with the oracles (needs an isolated datasource; otherwise skipped).
    public var correctness = true
    /// Pipes to check (nil: every pipe of the scenario's datasources).
    public var pipes: [String]?
    /// Combinations the check plan may draw, for all pipes together (seeded, reproducible).
    public var maxCombinations = 300
    /// Longest wait, after the load, for the target to hold every acknowledged event.
    public var settleTimeout = 60.0
    /// Freshness probes per second during the load (0: none).
    public var probesPerSecond = 1.0
    /// A probe not visible this long after it was sent counts as never visible.
    public var probeTimeout = 60.0
    /// Times each checked combination is asked in all, for its query cost (`statistics`: rows and
    /// bytes read, the median server time); 1 reads the cost off the check's own answer.
    public var costQueries = 3
    /// The reference replay (the events sent, loaded into an isolated local target serving the same
    /// project; every checked combination compared with its answer). nil: on for a scenario that
    /// names a project (its only check for pipes no Swift oracle knows), off for the seed scenarios
    /// (their oracles check them; `true` runs it beside them).
    public var reference: Bool?

    public init() {}

    init(reading reader: inout ObjectReader) throws(ScenarioError) {
        correctness = try reader.bool("correctness", default: correctness)
        if reader.keys.contains("pipes") {
            pipes = try reader.strings("pipes", default: [])
        }
        maxCombinations = try reader.int("max_combinations", default: maxCombinations, in: 1...1_000_000)
        settleTimeout = try reader.duration("settle_timeout", default: settleTimeout) ?? settleTimeout
        probesPerSecond = try reader.double("probes_per_second", default: probesPerSecond, in: 0...1000)
        probeTimeout = try reader.duration("probe_timeout", default: probeTimeout) ?? probeTimeout
        costQueries = try reader.int("cost_queries", default: costQueries, in: 1...20)
        if reader.keys.contains("reference") { reference = try reader.bool("reference", default: true) }
    }
}

/// One threshold of a scenario: `"ingest.latency.p99": "< 250ms"`.
public struct Threshold: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "=="
    }

    public var metric: String
    public var comparison: Comparison
    /// The bound in the metric's unit: milliseconds for latencies and freshness, percent for rates,
    /// a plain number otherwise.
    public var bound: Double
    /// The condition as written.
    public var text: String

    /// Parses `< 250ms`, `<= 1s`, `== 0`, `< 0.1%`, `> 1000`.
    public init?(metric: String, condition: String) {
        let trimmed = condition.trimmingSpaces
        guard let comparison = Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
            .first(where: { trimmed.hasPrefix($0.rawValue) }) else { return nil }
        var number = String(trimmed.dropFirst(comparison.rawValue.count)).trimmingSpaces
        var scale = 1.0
        if number.hasSuffix("%") {
            number.removeLast()
        } else if let seconds = DurationText.seconds(parsing: number), number.contains(where: \.isLetter) {
            number = "\(seconds)"
            scale = 1000  // durations compare in milliseconds
        }
        guard let value = Double(number.trimmingSpaces), value.isFinite else { return nil }
        self.metric = metric
        self.comparison = comparison
        bound = value * scale
        text = trimmed
    }

    public func holds(for value: Double) -> Bool {
        switch comparison {
        case .less: return value < bound
        case .lessOrEqual: return value <= bound
        case .greater: return value > bound
        case .greaterOrEqual: return value >= bound
        case .equal: return value == bound
        }
    }

    static func read(_ reader: inout ObjectReader) throws(ScenarioError) -> [Threshold] {
        var result: [Threshold] = []
        for metric in reader.keys {
            let condition = try reader.optionalString(metric) ?? ""
            guard let threshold = Threshold(metric: metric, condition: condition) else {
                throw .invalidValue(path: reader.childPath(metric), expected: "a condition like \"< 250ms\", \"<= 1s\", \"== 0\" or \"< 0.1%\"", found: "\"\(condition)\"")
            }
            result.append(threshold)
        }
        return result
    }
}
