import StarlingSim

/// Evaluates a scenario's thresholds against a run's summary, reading every metric from the
/// `MetricCatalogue` (the names `compare` and the reports use; old names are aliases).
public enum ThresholdEvaluator {
    /// The error rate above which a queried endpoint fails the run unless the scenario sets its own
    /// threshold on `query.<pipe>.errors.rate`: an endpoint answering errors is never "passed".
    public static let defaultQueryErrorRate = "<= 1%"

    /// The scenario's thresholds, then a default `query.<pipe>.errors.rate <= 1%` for every pipe
    /// the run queried that the scenario sets no threshold on.
    public static func effective(_ thresholds: [Threshold], summary: RunSummary) -> [Threshold] {
        let named = Set(thresholds.compactMap { MetricCatalogue.resolve($0.metric)?.name })
        let defaults = summary.queries.keys.sorted().compactMap { pipe -> Threshold? in
            let metric = "query.\(pipe).errors.rate"
            return named.contains(metric) ? nil : Threshold(metric: metric, condition: defaultQueryErrorRate)
        }
        return thresholds + defaults
    }

    /// Judges `effective(thresholds)` against the summary.
    public static func evaluate(_ thresholds: [Threshold], summary: RunSummary) -> [ThresholdResult] {
        effective(thresholds, summary: summary).map { threshold in
            guard let value = MetricCatalogue.value(threshold.metric, in: summary)?.value else {
                let reason = MetricCatalogue.resolve(threshold.metric) == nil
                    ? "no such metric (known: \(MetricCatalogue.knownForms))"
                    : "not measured in this run (no successful request, a pipe it did not query, or freshness without probes)"
                return ThresholdResult(metric: threshold.metric, condition: threshold.text, value: nil, passed: false, reason: reason)
            }
            return ThresholdResult(metric: threshold.metric, condition: threshold.text, value: value, passed: threshold.holds(for: value))
        }
    }

    /// Checks the thresholds' metric names before anything is sent: an unknown name is bad input
    /// (a typo must not wait for the end of a run to show); a deprecated alias gives a warning,
    /// returned.
    public static func review(_ thresholds: [Threshold]) throws(ScenarioError) -> [String] {
        var warnings: [String] = []
        for threshold in thresholds {
            guard let resolved = MetricCatalogue.resolve(threshold.metric) else {
                throw .invalidValue(path: "$.run.thresholds", expected: "a metric named \(MetricCatalogue.knownForms) (<stat>: \(MetricCatalogue.stats.joined(separator: ", ")))",
                                    found: "'\(threshold.metric)'")
            }
            if let warning = resolved.warning { warnings.append("$.run.thresholds: \(warning)") }
        }
        return warnings
    }
}
