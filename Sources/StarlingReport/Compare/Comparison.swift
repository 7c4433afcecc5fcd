import StarlingRun

/// A noise-aware comparison of a current run with a baseline of one or more runs.
///
/// The algorithm, per metric: take the baseline runs' values, their range [min, max] and median.
/// With `allowance(x) = absolute + relative × |x|`, a lower-is-better metric regressed when *every*
/// current run is above `max + allowance(max)`, and improved when every current run is below
/// `min − allowance(min)` (mirrored for higher-is-better); anything in between is unchanged.
/// "Change" is the current median against the baseline median. The current side is usually one
/// run; giving it several (a folder of runs) asks for a consistent change, which is what rules out
/// a single run that a neighbour's build slowed down.
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
    public var currentFolders: [String]
    public var rows: [MetricComparison]
    /// Things the reader should know: invalid runs, different offered rates.
    public var warnings: [String]
    /// Every current run is invalid: the table is shown but no verdict is drawn from it.
    public var inconclusive: Bool

    public var hasRegression: Bool { rows.contains { $0.verdict == .regression } }
    /// 3 when the current run is invalid, else 2 on a regression, 0 otherwise (the CLI's contract).
    public var exitCode: Int32 { inconclusive ? 3 : hasRegression ? 2 : 0 }

    public init(baseline: RunSet, current: RunSet, tolerances: CompareTolerances) {
        let (base, baseLeft) = Self.validRuns(baseline)
        let (now, nowLeft) = Self.validRuns(current)
        baselineFolders = base.map(\.folder)
        currentFolders = now.map(\.folder)
        inconclusive = !now.contains { $0.summary.isComparable }
        let baseReadings = base.map { MetricCatalogue.compared(in: $0.summary) }
        let nowReadings = now.map { MetricCatalogue.compared(in: $0.summary) }
        let names = Set(baseReadings.flatMap(\.keys)).union(nowReadings.flatMap(\.keys))
            .sorted { (Self.rank($0), $0) < (Self.rank($1), $1) }
        rows = names.map { name in
            Self.judge(baseline: baseReadings.compactMap { $0[name] }, current: nowReadings.compactMap { $0[name] }, tolerances: tolerances)
        }
        rows += Self.costPerCombination(baseline: base.map(\.summary), current: now.map(\.summary), tolerance: tolerances.byKind[.cost] ?? Tolerance(relative: 0.1, absolute: 0))
        warnings = tolerances.warnings + Self.warnings(baseline: base, current: now)
        for name in tolerances.byMetric.keys.sorted() where !names.contains(name) {
            warnings.append("the tolerance for \(name) applies to nothing: no such metric in these runs")
        }
        if !(baseLeft + nowLeft).isEmpty {
            warnings.insert("left out as invalid runs: \((baseLeft + nowLeft).joined(separator: ", "))", at: 0)
        }
    }

    /// One current run.
    public init(baseline: RunSet, current: (folder: String, summary: RunSummary), tolerances: CompareTolerances) {
        self.init(baseline: baseline, current: RunSet(summaries: [current]), tolerances: tolerances)
    }

    /// The comparable runs (all of them when none is) and the folders left out.
    static func validRuns(_ set: RunSet) -> ([(folder: String, summary: RunSummary)], [String]) {
        let valid = set.runs.filter { $0.summary.isComparable }
        return valid.isEmpty ? (set.runs, []) : (valid, set.runs.filter { !$0.summary.isComparable }.map(\.folder))
    }

    static func judge(baseline: [MetricValue], current: [MetricValue], tolerances: CompareTolerances) -> MetricComparison {
        guard let reference = current.first ?? baseline.first else {
            return MetricComparison(name: "", unit: "", polarity: .lowerIsBetter, baseline: [], current: [],
                                    tolerance: Tolerance(relative: 0, absolute: 0), verdict: .missing)
        }
        let tolerance = tolerances.tolerance(for: reference)
        var row = MetricComparison(name: reference.name, unit: reference.unit, polarity: reference.polarity,
                                   baseline: baseline.map(\.value), current: current.map(\.value), tolerance: tolerance, verdict: .unchanged)
        guard let nowLow = row.current.min(), let nowHigh = row.current.max(), let low = row.baseline.min(), let high = row.baseline.max() else {
            row.verdict = .missing
            row.note = current.isEmpty ? "not in the current run" : "not in the baseline"
            return row
        }
        if let fewest = (baseline + current).compactMap(\.tailSamples).min(), fewest < tolerances.minimumTailSamples {
            row.verdict = .noisy
            row.note = "only \(Int(fewest.rounded())) samples beyond this percentile, fewer than \(Int(tolerances.minimumTailSamples))"
            return row
        }
        let above = nowLow > high + tolerance.allowance(around: high)
        let below = nowHigh < low - tolerance.allowance(around: low)
        let (worse, better) = reference.polarity == .lowerIsBetter ? (above, below) : (below, above)
        row.verdict = worse ? .regression : better ? .improvement : .unchanged
        return row
    }

    static func warnings(baseline: [(folder: String, summary: RunSummary)], current: [(folder: String, summary: RunSummary)]) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for (folder, s) in baseline + current where !s.isComparable && seen.insert(folder).inserted {
            let why = s.valid ? (s.stopMessage ?? s.verdict.rawValue) : s.invalidReasons.joined(separator: "; ")
            out.append("\(folder) is an \(s.valid ? s.verdict.rawValue : "invalid") run (\(why)); its numbers do not describe a whole run"
                + (current.contains { $0.folder == folder } ? ": no verdict is drawn from it, rerun it" : ""))
        }
        guard let reference = current.first?.summary else { return out }
        let offered = reference.ingest.offeredEventsPerSecond
        for (folder, s) in baseline + current where abs(s.ingest.offeredEventsPerSecond - offered) > 0.02 * max(offered, 1) {
            out.append("\(folder) offered \(ReportText.rate(s.ingest.offeredEventsPerSecond)) events/s, \(current[0].folder) \(ReportText.rate(offered)) events/s: not the same load")
        }
        for (folder, s) in baseline + current where s.scenario != reference.scenario {
            out.append("\(folder) ran scenario \(s.scenario), \(current[0].folder) \(reference.scenario)")
        }
        return out
    }

    /// Rows a granule holds (ClickHouse's default `index_granularity`): a difference in rows read
    /// smaller than one granule is the parts' layout, not the query's plan.
    static let granuleRows = 8192.0

    /// Per pipe, the checked combination whose rows read grew most: its current rows over the
    /// most any baseline run read for the same (pipe, parameters). A per-pipe sum can hide a
    /// regression (a lost sorting-key prefix makes id filters read everything while time windows
    /// read a little less); one combination cannot. Regression when every current run has a
    /// combination beyond the tolerance and more than one granule above the baseline.
    static func costPerCombination(baseline: [RunSummary], current: [RunSummary], tolerance: Tolerance) -> [MetricComparison] {
        func rowsRead(_ s: RunSummary) -> [String: [String: Int64]] {
            var out: [String: [String: Int64]] = [:]
            for check in s.checks { if let cost = check.cost { out[check.pipe, default: [:]][check.parameters] = cost.rowsRead } }
            return out
        }
        let base = baseline.map(rowsRead), now = current.map(rowsRead)
        guard !base.isEmpty, !now.isEmpty else { return [] }
        let pipes = Set(now.flatMap(\.keys)).intersection(base.flatMap(\.keys)).sorted()
        return pipes.compactMap { pipe -> MetricComparison? in
            var most: [String: Int64] = [:]
            for run in base { for (parameters, rows) in run[pipe] ?? [:] { most[parameters] = max(most[parameters] ?? 0, rows) } }
            /// The worst combination of one run: ratio, rows above the baseline, parameters.
            func worst(_ run: [String: [String: Int64]]) -> (ratio: Double, excess: Double, parameters: String)? {
                (run[pipe] ?? [:]).compactMap { parameters, rows -> (Double, Double, String)? in
                    guard let reference = most[parameters] else { return nil }
                    return (Double(rows) / Double(max(reference, 1)), Double(rows - reference), parameters)
                }.max { ($0.0, $0.1) < ($1.0, $1.1) }
            }
            let currentWorst = now.compactMap(worst)
            guard !currentWorst.isEmpty else { return nil }
            let regressed = currentWorst.allSatisfy { $0.ratio > 1 + tolerance.relative && $0.excess > Self.granuleRows }
            let shown = currentWorst.max { $0.ratio < $1.ratio }!
            var row = MetricComparison(name: "cost.\(pipe).rows_read.worst_combination", unit: "×", polarity: .lowerIsBetter,
                                       baseline: base.compactMap(worst).map(\.ratio), current: currentWorst.map(\.ratio),
                                       tolerance: Tolerance(relative: tolerance.relative, absolute: 0), verdict: regressed ? .regression : .unchanged)
            row.note = "\(shown.parameters.isEmpty ? "defaults" : shown.parameters): \(Int64(shown.excess) >= 0 ? "+" : "")\(Int64(shown.excess)) rows read"
            return row
        }
    }

    /// Ingest first, then queries, then the rest, each alphabetical.
    static func rank(_ name: String) -> Int {
        name.hasPrefix("ingest.") ? 0 : name.hasPrefix("query.") ? 1 : 2
    }
}
