import StarlingRun

/// The verdict on one metric.
public enum MetricVerdict: String, Sendable, Equatable {
    case regression, improvement, unchanged
    /// A percentile with too few samples beyond it to judge: shown, not gated.
    case noisy
    /// In the baseline but not in the current run (or the reverse): shown, not gated.
    case missing
}

/// One metric's row: its value in each baseline run and each current run that has it, and the verdict.
public struct MetricComparison: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var polarity: Polarity
    public var baseline: [Double]
    public var current: [Double]
    public var tolerance: Tolerance
    public var verdict: MetricVerdict
    /// Why the verdict is `noisy` or `missing`.
    public var note: String?

    public var baselineMedian: Double? { Self.median(baseline) }
    public var currentMedian: Double? { Self.median(current) }

    static func median(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
