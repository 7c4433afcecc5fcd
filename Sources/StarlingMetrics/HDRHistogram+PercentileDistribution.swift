import Foundation

/// One row of a percentile distribution: the value reached at a percentile tick.
public struct PercentileStep: Sendable, Equatable {
    /// Highest value equivalent to the slot where the tick was reached (unscaled).
    public var value: UInt64
    /// The percentile tick, 0...100.
    public var percentile: Double
    /// Number of values at or below `value`.
    public var totalCount: UInt64
}

extension HDRHistogram {
    /// The percentile ticks of HdrHistogram's `PercentileIterator`: `ticksPerHalfDistance` equal
    /// steps in each half of the remaining distance to 100 % (0, 10, 20, 30, 40, 50, 55, 60, …, 75,
    /// 77.5, … for 5 ticks), ending with a row at exactly 100 %. Empty when nothing is recorded.
    public func percentileSteps(ticksPerHalfDistance: Int = 5) -> [PercentileStep] {
        guard storedTotalCount > 0, ticksPerHalfDistance > 0 else { return [] }
        let total = Double(storedTotalCount)
        var steps: [PercentileStep] = []
        var level = 0.0
        var cumulative: UInt64 = 0
        var index = 0
        while index < counts.count {
            let count = counts[index]
            cumulative &+= count
            if count != 0 {
                while 100 * Double(cumulative) / total >= level {
                    steps.append(PercentileStep(value: slotTop(index), percentile: level, totalCount: cumulative))
                    level = Self.nextPercentileLevel(after: level, ticksPerHalfDistance: ticksPerHalfDistance)
                    if cumulative >= storedTotalCount { break }
                }
            }
            if cumulative >= storedTotalCount { break }
            index += 1
        }
        steps.append(PercentileStep(value: slotTop(index), percentile: 100, totalCount: cumulative))
        return steps
    }

    private func slotTop(_ index: Int) -> UInt64 {
        layout.highestEquivalentValue(layout.value(atIndex: index))
    }

    /// HdrHistogram's tick rule, kept bit-for-bit (including the truncation of the log) so that the
    /// same histogram prints the same rows as the Java implementation.
    static func nextPercentileLevel(after level: Double, ticksPerHalfDistance: Int) -> Double {
        let halvings = Int64(log(100.0 / (100.0 - level)) / log(2.0))
        let reportingTicks = Int64(ticksPerHalfDistance) * Int64(pow(2.0, Double(halvings + 1)))
        return level + 100.0 / Double(reportingTicks)
    }

    /// The `.hgrm` text of HdrHistogram's `outputPercentileDistribution` (plain-text form), as read
    /// by HdrHistogram's plotter: a header, one row per percentile tick
    /// (`Value Percentile TotalCount 1/(1-Percentile)`), then the `#[Mean …]`, `#[Max …]` and
    /// `#[Buckets …]` footer lines.
    ///
    /// Values are divided by `valueScale` (1000 prints milliseconds from microsecond values) and
    /// printed with as many decimals as the histogram has significant digits. As in HdrHistogram, a
    /// row shows the highest value of its slot and `Max` is the highest value of the largest slot.
    public func percentileDistribution(ticksPerHalfDistance: Int = 5, valueScale: Double = 1) -> String {
        let digits = layout.significantDigits
        var text = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
        for step in percentileSteps(ticksPerHalfDistance: ticksPerHalfDistance) {
            let fraction = step.percentile / 100
            let value = Double(step.value) / valueScale
            if step.percentile != 100 {
                text += String(
                    format: "%12.\(digits)f %2.12f %10llu %14.2f\n", value, fraction, step.totalCount,
                    1 / (1 - fraction))
            } else {
                text += String(format: "%12.\(digits)f %2.12f %10llu\n", value, fraction, step.totalCount)
            }
        }
        let reportedMax = storedTotalCount == 0 ? 0 : layout.highestEquivalentValue(maxValue)
        text += String(
            format: "#[Mean    = %12.\(digits)f, StdDeviation   = %12.\(digits)f]\n",
            mean / valueScale, standardDeviation / valueScale)
        text += String(
            format: "#[Max     = %12.\(digits)f, Total count    = %12llu]\n",
            Double(reportedMax) / valueScale, storedTotalCount)
        text += String(
            format: "#[Buckets = %12ld, SubBuckets     = %12ld]\n", layout.bucketCount, layout.subBucketCount)
        return text
    }
}
