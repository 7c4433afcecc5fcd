import Foundation
import StarlingRun

/// The verdict of an interleaved A/B benchmark: per metric, B's runs against A's.
///
/// A few short runs per side on a noisy machine give few, skewed samples, so the test makes no
/// assumption about their distribution: a one-sided Mann–Whitney U test (exact, by counting the
/// rank sums of every split, for the sample sizes `ab` uses) asks whether B's values tend to lie on
/// the worse side of A's, and the change is estimated as the ratio of the medians with a bootstrap
/// percentile interval (seeded, so the report is reproducible). B is worse when the test rejects at
/// `alpha` divided by the number of gated metrics (Bonferroni: with `alpha` 0.01 the chance that any
/// metric of an A-vs-A comparison raises an alarm is at most 1 %) and the estimated change lies
/// beyond the threshold. The ABBA order of the runs makes the machine's drift fall on both sides.
public struct ABComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var name: String
        public var unit: String
        public var polarity: Polarity
        public var a: [Double]
        public var b: [Double]
        /// Median of B over median of A, and its 90 % bootstrap interval.
        public var ratio: Double?
        public var interval: ClosedRange<Double>?
        /// One-sided p-value of "B is worse than A".
        public var pWorse: Double
        public var verdict: MetricVerdict
        public var gated: Bool
    }

    public var rows: [Row]
    public var alpha: Double
    public var threshold: Double
    public var warnings: [String]

    public var hasRegression: Bool { rows.contains { $0.verdict == .regression } }

    /// `a`, `b`: the summaries of each side's valid runs. Gated: latencies and query cost; the rest
    /// (rates, errors, counts) is reported.
    public init(a: [RunSummary], b: [RunSummary], threshold: Double = 0.10, alpha: Double = 0.01) {
        self.alpha = alpha
        self.threshold = threshold
        warnings = []
        let aValues = a.map(MetricCatalogue.compared(in:)), bValues = b.map(MetricCatalogue.compared(in:))
        let names = Set(aValues.flatMap(\.keys)).intersection(bValues.flatMap(\.keys)).sorted()
        let gatedKinds: Set<MetricKind> = [.latency, .tail, .cost]
        let gatedCount = max(1, names.filter { name in aValues.first?[name].map { gatedKinds.contains($0.kind) } ?? false }.count)
        rows = names.compactMap { name in
            let left = aValues.compactMap { $0[name] }, right = bValues.compactMap { $0[name] }
            guard let reference = left.first ?? right.first else { return nil }
            let lowerIsBetter = reference.polarity == .lowerIsBetter
            let xs = left.map(\.value), ys = right.map(\.value)
            let p = ABStatistics.mannWhitneyGreater(lowerIsBetter ? ys : xs, lowerIsBetter ? xs : ys)
            let ratio = ABStatistics.medianRatio(ys, xs)
            // Every run the same value (a count, a rate the schedule fixes): nothing to resample.
            let constant = Set(xs + ys).count == 1
            let interval = constant ? ratio.map { $0...$0 } : ABStatistics.bootstrapRatioInterval(ys, xs, seed: name.hashValueStable)
            let gated = gatedKinds.contains(reference.kind)
            var verdict = MetricVerdict.unchanged
            if let ratio {
                let worseBeyond = lowerIsBetter ? ratio > 1 + threshold : ratio < 1 - threshold
                let betterBeyond = lowerIsBetter ? ratio < 1 - threshold : ratio > 1 + threshold
                let pBetter = ABStatistics.mannWhitneyGreater(lowerIsBetter ? xs : ys, lowerIsBetter ? ys : xs)
                if worseBeyond && p < alpha / Double(gatedCount) { verdict = gated ? .regression : .noisy }
                else if betterBeyond && pBetter < alpha / Double(gatedCount) { verdict = .improvement }
            }
            return Row(name: name, unit: reference.unit, polarity: reference.polarity, a: xs, b: ys, ratio: ratio,
                       interval: interval, pWorse: p, verdict: verdict, gated: gated)
        }
    }

    /// 2 when B is worse on a gated metric, else 0 (3 for too few valid runs is the caller's).
    public var exitCode: Int32 { hasRegression ? 2 : 0 }
}

/// Small-sample statistics for `ab`.
public enum ABStatistics {
    /// One-sided p-value that values of `x` tend to be greater than those of `y`: the exact
    /// distribution of the Mann–Whitney U statistic (ties counted as halves) for m·n ≤ 400 by
    /// dynamic programming over rank sums, the normal approximation beyond.
    public static func mannWhitneyGreater(_ x: [Double], _ y: [Double]) -> Double {
        let m = x.count, n = y.count
        guard m > 0, n > 0 else { return 1 }
        var u = 0.0
        for a in x { for b in y { u += a > b ? 1 : a == b ? 0.5 : 0 } }
        if m * n <= 400 {
            // counts[k][s]: ways to choose k of the first i ranks summing to s (ranks 1…m+n), no ties.
            let total = m + n
            let maxSum = total * (total + 1) / 2
            var counts = [[Double]](repeating: [Double](repeating: 0, count: maxSum + 1), count: m + 1)
            counts[0][0] = 1
            for rank in 1...total {
                for k in stride(from: min(rank, m), through: 1, by: -1) {
                    for s in stride(from: maxSum, through: rank, by: -1) where counts[k - 1][s - rank] > 0 {
                        counts[k][s] += counts[k - 1][s - rank]
                    }
                }
            }
            let all = counts[m].reduce(0, +)
            // U = R − m(m+1)/2; P(U ≥ u).
            let offset = m * (m + 1) / 2
            var tail = 0.0
            for (s, c) in counts[m].enumerated() where Double(s - offset) >= u - 1e-9 { tail += c }
            return tail / all
        }
        let mean = Double(m * n) / 2
        let sd = (Double(m * n * (m + n + 1)) / 12).squareRoot()
        let z = (u - 0.5 - mean) / sd
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    static func median(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// median(b) / median(a), nil when a's median is 0.
    public static func medianRatio(_ b: [Double], _ a: [Double]) -> Double? {
        guard let mb = median(b), let ma = median(a), ma != 0 else { return nil }
        return mb / ma
    }

    /// The 5th–95th percentile of median(b*)/median(a*) over `resamples` seeded bootstrap resamples.
    public static func bootstrapRatioInterval(_ b: [Double], _ a: [Double], seed: UInt64, resamples: Int = 1000) -> ClosedRange<Double>? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var state = seed | 1
        func next(_ bound: Int) -> Int {
            // xorshift64*: enough for resampling indexes.
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) >> 33) % bound
        }
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let ra = (0..<a.count).map { _ in a[next(a.count)] }, rb = (0..<b.count).map { _ in b[next(b.count)] }
            if let r = medianRatio(rb, ra), r.isFinite { ratios.append(r) }
        }
        guard ratios.count > resamples / 2 else { return nil }
        ratios.sort()
        return ratios[Int(Double(ratios.count) * 0.05)]...ratios[min(ratios.count - 1, Int(Double(ratios.count) * 0.95))]
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: a hash that is the same in every process (Swift's `hashValue` is
    /// seeded per process), for seeding the bootstrap per metric.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// `ab.md` and the console output of `starling ab`.
public enum ABReport {
    public static func markdown(_ c: ABComparison, a: String, b: String, rounds: Int) -> String {
        let regressions = c.rows.filter { $0.verdict == .regression }
        let headline = regressions.isEmpty ? "✅ B is not worse than A beyond \(percent(c.threshold))"
            : "❌ B is worse on \(regressions.count) metric\(regressions.count == 1 ? "" : "s")"
        var md = ["## Starling A/B — " + headline, "",
                  "A: `\(a)` · B: `\(b)` · \(rounds) rounds in ABBA order.", ""]
        md += c.warnings.map { "> ⚠️ \(ReportText.cell($0))\n" }
        md += ["| metric | better | A (median, n) | B (median, n) | B / A (90 % interval) | p(B worse) | verdict |",
               "|---|:---:|---:|---:|---:|---:|---|"]
        for r in c.rows {
            let ratio = r.ratio.map { String(format: "%.3f", $0) } ?? "–"
            let interval = r.interval.map { String(format: " (%.3f–%.3f)", $0.lowerBound, $0.upperBound) } ?? ""
            md.append("| \(ReportText.cell(r.name)) | \(r.polarity == .lowerIsBetter ? "↓" : "↑") | \(side(r.a, r.unit)) | \(side(r.b, r.unit)) | \(ratio)\(interval) | \(String(format: "%.4f", r.pWorse)) | \(verdict(r)) |")
        }
        md += ["", "Rule: B is worse on a gated metric (latency, query cost) when a one-sided Mann–Whitney U test rejects at \(String(format: "%g", c.alpha)) / the number of gated metrics and the median ratio B/A lies beyond \(percent(c.threshold)); the 90 % bootstrap interval shows how sure the estimate is. Rates, errors and counts are shown, not gated."]
        return md.joined(separator: "\n") + "\n"
    }

    static func side(_ values: [Double], _ unit: String) -> String {
        guard let median = ABStatistics.median(values) else { return "–" }
        return "\(ComparisonReport.number(median)) \(unit) (\(values.count))"
    }

    static func percent(_ x: Double) -> String { String(format: "%g %%", x * 100) }

    static func verdict(_ r: ABComparison.Row) -> String {
        switch r.verdict {
        case .regression: return "❌ worse"
        case .improvement: return "✅ better"
        case .noisy: return "worse (not gated)"
        case .unchanged, .missing: return "no change shown"
        }
    }
}
