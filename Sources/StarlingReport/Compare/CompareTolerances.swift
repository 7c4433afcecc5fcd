import StarlingRun

/// How far a metric may move before `compare` calls it a change: `absolute + relative × |reference|`
/// (numpy's `isclose` rule), applied beyond the baseline's own spread.
public struct Tolerance: Sendable, Equatable {
    /// Fraction of the reference value (0.25 = 25 %).
    public var relative: Double
    /// In the metric's unit (ms, per second, percentage points, a count).
    public var absolute: Double

    public init(relative: Double, absolute: Double) {
        self.relative = relative
        self.absolute = absolute
    }

    public func allowance(around reference: Double) -> Double { absolute + relative * abs(reference) }
}

/// The tolerances of one comparison: per metric kind, overridable per metric name.
///
/// Defaults are chosen for a noisy, shared 2-core CI machine running a 20-second smoke run against
/// the local target. Measured there (30 runs of `ci-smoke` while other sessions built and ran; the
/// 9 valid ones): ingest p50 spread over 8–28 ms and p99 over 24–155 ms between identical runs.
/// - `latency` (medians) 25 % + 2 ms: on top of a baseline range that already holds most of that
///   spread; 2 ms absorbs timer and scheduler jitter on sub-10 ms medians.
/// - `tail` (p99, p99.9, freshness p99) 50 % + 5 ms: tails move most from run to run (one stall of a
///   neighbour's build shifts them). Tighten both with `--tolerance` against a steady target (the
///   fake target with a fixed delay) to catch a 30 % change.
/// - `rate` 10 % + 0.2/s: achieved throughput follows the offered rate; a 10 % shortfall is real,
///   0.2/s absorbs the ±1 request at the run's edges on 1–2 req/s query streams.
/// - `errors` 0 % + 0.5 percentage points: an occasional timeout on a busy machine is not a regression.
/// - `count` 0 + 0: a lost event or a failed check is always a regression.
/// - `cost` 10 % + 0: rows and bytes read are fixed for the same data and project; 10 % absorbs the
///   target merging parts between runs, while a lost sorting-key prefix reads many times more.
/// Percentiles with fewer than `minimumTailSamples` samples beyond them (p99 of 200 requests = 2
/// samples) are reported but not gated: they are a single sample's noise.
public struct CompareTolerances: Sendable, Equatable {
    public var byKind: [MetricKind: Tolerance] = [
        .latency: Tolerance(relative: 0.25, absolute: 2),
        .tail: Tolerance(relative: 0.50, absolute: 5),
        .rate: Tolerance(relative: 0.10, absolute: 0.2),
        .errors: Tolerance(relative: 0, absolute: 0.5),
        .count: Tolerance(relative: 0, absolute: 0),
        .cost: Tolerance(relative: 0.10, absolute: 0),
    ]
    /// Per metric name (e.g. `ingest.latency.p99`), taking precedence over its kind.
    public var byMetric: [String: Tolerance] = [:]
    public var minimumTailSamples = 5.0
    /// Deprecated metric names given to `apply` (they still apply, to the catalogue's name).
    public var warnings: [String] = []

    public init() {}

    public func tolerance(for reading: MetricValue) -> Tolerance {
        byMetric[reading.name] ?? byKind[reading.kind] ?? Tolerance(relative: 0, absolute: 0)
    }

    /// Applies `KEY=REL[+ABS]` where KEY is a kind (`latency`, `tail`, `rate`, `errors`, `count`) or a
    /// metric name, REL a percentage (`25%`) or fraction (`0.25`), ABS a number in the metric's unit
    /// with an optional `ms`, `s` (latencies), `%` (errors) or `/s` (rates) suffix.
    public mutating func apply(_ text: String) throws(CompareError) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw .badTolerance(text) }
        let sides = parts[1].split(separator: "+", maxSplits: 1).map(String.init)
        guard let relative = Self.fraction(sides[0]), relative >= 0 else { throw .badTolerance(text) }
        var absolute = 0.0
        if sides.count == 2 {
            guard let value = Self.amount(sides[1]), value >= 0 else { throw .badTolerance(text) }
            absolute = value
        }
        let tolerance = Tolerance(relative: relative, absolute: absolute)
        if let kind = MetricKind(rawValue: parts[0]) {
            byKind[kind] = tolerance
        } else if let resolved = MetricCatalogue.resolve(parts[0]) {
            if let warning = resolved.warning { warnings.append("--tolerance: \(warning)") }
            byMetric[resolved.name] = tolerance
        } else {
            byMetric[parts[0]] = tolerance  // reported by compare as applying to nothing
        }
    }

    static func fraction(_ text: String) -> Double? {
        text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
    }

    static func amount(_ text: String) -> Double? {
        for (suffix, factor) in [("ms", 1.0), ("/s", 1), ("%", 1), ("s", 1000)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }
}
