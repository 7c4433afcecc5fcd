import StarlingRun

/// The verdict on one metric.
public enum MetricVerdict: String, Sendable, Equatable {
    case regression, improvement, unchanged
    /// A percentile with too few samples beyond it to judge: shown, not gated.
    case noisy
    /// In the baseline but not in the current run (or the reverse): shown, not gated.
    case missing
}

/// One metric's row: the baseline's values (one per baseline run that has it), the current value, the verdict.
public struct MetricComparison: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var polarity: Polarity
    public var baseline: [Double]
    public var current: Double?
    public var tolerance: Tolerance
    public var verdict: MetricVerdict
    /// Why the verdict is `noisy` or `missing`.
    public var note: String?

    public var baselineMedian: Double? {
        let sorted = baseline.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// A noise-aware comparison of a current run with a baseline of one or more runs.
///
/// The algorithm, per metric: take the baseline runs' values, their range [min, max] and median.
/// With `allowance(x) = absolute + relative × |x|`, a lower-is-better metric regressed when
/// `current > max + allowance(max)` and improved when `current < min − allowance(min)` (mirrored for
/// higher-is-better); anything in between is unchanged. "Change" is reported against the median.
///
/// Why the range widened by a tolerance, not median ± k·MAD: CI baselines hold few runs (3–5), and
/// with so few the MAD is unstable (it is 0 whenever two of three runs agree) and k has no calibrated
/// meaning without assuming normal noise. The range needs no distribution: a new run of the *same*
/// setup exceeds the maximum of n exchangeable baseline runs with probability 1/(n+1), and the
/// tolerance on top absorbs that remaining chance and the machine's drift. It adapts per metric (a
/// jittery p99 has a wide range, a steady p50 a narrow one), degenerates to a plain tolerance test
/// for a single-run baseline, and an outlier in the baseline only makes it more lenient — the safe
/// side for a gate that must not cry wolf. Percentiles backed by fewer than
/// ``CompareTolerances/minimumTailSamples`` samples beyond them are not gated at all.
///
/// Invalid runs (the generator fell behind its schedule, so latencies include its own delay) are
/// left out of the baseline when at least one valid run remains; an invalid *current* run makes the
/// comparison inconclusive (exit 3, as for `starling run`): rerun it rather than blame the server.
public struct Comparison: Sendable {
    public var baselineFolders: [String]
    public var currentFolder: String
    public var rows: [MetricComparison]
    /// Things the reader should know: invalid runs, different offered rates.
    public var warnings: [String]
    /// The current run is invalid: the table is shown but no verdict is drawn from it.
    public var inconclusive: Bool

    public var hasRegression: Bool { rows.contains { $0.verdict == .regression } }
    /// 3 when the current run is invalid, else 2 on a regression, 0 otherwise (the CLI's contract).
    public var exitCode: Int32 { inconclusive ? 3 : hasRegression ? 2 : 0 }

    public init(baseline: RunSet, current: (folder: String, summary: RunSummary), tolerances: CompareTolerances) {
        let valid = baseline.runs.filter { $0.summary.valid }
        let used = valid.isEmpty ? baseline.runs : valid
        baselineFolders = used.map(\.folder)
        currentFolder = current.folder
        inconclusive = !current.summary.valid
        let base = used.map { MetricReading.readings(of: $0.summary) }
        let now = MetricReading.readings(of: current.summary)
        let names = Set(base.flatMap(\.keys)).union(now.keys).sorted { (Self.rank($0), $0) < (Self.rank($1), $1) }
        rows = names.map { name in
            Self.judge(baseline: base.compactMap { $0[name] }, current: now[name], tolerances: tolerances)
        }
        warnings = Self.warnings(baseline: RunSet(summaries: used), current: current)
        let left = baseline.runs.filter { !$0.summary.valid }.map(\.folder)
        if !valid.isEmpty && !left.isEmpty {
            warnings.insert("left out of the baseline as invalid runs: \(left.joined(separator: ", "))", at: 0)
        }
    }

    static func judge(baseline: [MetricReading], current: MetricReading?, tolerances: CompareTolerances) -> MetricComparison {
        guard let reference = current ?? baseline.first else {
            return MetricComparison(name: "", unit: "", polarity: .lowerIsBetter, baseline: [], current: nil,
                                    tolerance: Tolerance(relative: 0, absolute: 0), verdict: .missing)
        }
        let tolerance = tolerances.tolerance(for: reference)
        var row = MetricComparison(name: reference.name, unit: reference.unit, polarity: reference.polarity,
                                   baseline: baseline.map(\.value), current: current?.value, tolerance: tolerance, verdict: .unchanged)
        guard let now = current?.value, let low = row.baseline.min(), let high = row.baseline.max() else {
            row.verdict = .missing
            row.note = current == nil ? "not in the current run" : "not in the baseline"
            return row
        }
        let tails = (baseline + [current].compactMap { $0 }).compactMap(\.tailSamples)
        if let fewest = tails.min(), fewest < tolerances.minimumTailSamples {
            row.verdict = .noisy
            row.note = "only \(Int(fewest.rounded())) samples beyond this percentile, fewer than \(Int(tolerances.minimumTailSamples))"
            return row
        }
        let worse = reference.polarity == .lowerIsBetter
            ? now > high + tolerance.allowance(around: high) : now < low - tolerance.allowance(around: low)
        let better = reference.polarity == .lowerIsBetter
            ? now < low - tolerance.allowance(around: low) : now > high + tolerance.allowance(around: high)
        row.verdict = worse ? .regression : better ? .improvement : .unchanged
        return row
    }

    static func warnings(baseline: RunSet, current: (folder: String, summary: RunSummary)) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for (folder, s) in baseline.runs + [current] where !s.valid && seen.insert(folder).inserted {
            out.append("\(folder) is an invalid run (\(s.invalidReasons.joined(separator: "; "))); its latencies include the generator's own delay"
                + (folder == current.folder ? ": no verdict is drawn from this comparison, rerun it" : ""))
        }
        let offered = current.summary.ingest.offeredEventsPerSecond
        for (folder, s) in baseline.runs where abs(s.ingest.offeredEventsPerSecond - offered) > 0.02 * max(offered, 1) {
            out.append("\(folder) offered \(ReportText.rate(s.ingest.offeredEventsPerSecond)) events/s but the current run \(ReportText.rate(offered)) events/s: the runs are not the same load")
        }
        for (folder, s) in baseline.runs where s.scenario != current.summary.scenario {
            out.append("\(folder) ran scenario \(s.scenario), the current run \(current.summary.scenario)")
        }
        return out
    }

    /// Ingest first, then queries, then the rest, each alphabetical.
    static func rank(_ name: String) -> Int {
        name.hasPrefix("ingest.") ? 0 : name.hasPrefix("query.") ? 1 : 2
    }
}
