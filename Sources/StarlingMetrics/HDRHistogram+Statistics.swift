extension HDRHistogram {
    /// The value at `percentile` (0...100), HdrHistogram's definition: the highest value equivalent
    /// to the slot where the cumulative count first reaches `ceil(percentile / 100 × totalCount)`.
    ///
    /// Two guards against artefacts: the result is clamped to ``max`` (a percentile is never
    /// reported above the largest recorded value), and percentile 0 returns ``min``. Percentiles
    /// whose target count is an integer up to floating-point noise use that integer (99.9 % of
    /// 10,000 values is the 9,990th value, not the 9,991st). Returns 0 when empty.
    public func valueAtPercentile(_ percentile: Double) -> UInt64 {
        guard storedTotalCount > 0 else { return 0 }
        let requested = Swift.min(Swift.max(percentile, 0), 100)
        guard requested > 0 else { return min }
        let target = countAtPercentile(requested)
        var cumulative: UInt64 = 0
        for index in counts.indices {
            cumulative &+= counts[index]
            if cumulative >= target {
                let slotTop = layout.highestEquivalentValue(layout.value(atIndex: index))
                return Swift.min(slotTop, maxValue)
            }
        }
        return maxValue
    }

    /// How many recorded values are at or below the `percentile` rank (at least 1).
    func countAtPercentile(_ percentile: Double) -> UInt64 {
        let exact = percentile / 100 * Double(storedTotalCount)
        let nearest = exact.rounded()
        let target = abs(exact - nearest) <= exact * 1e-12 ? nearest : exact.rounded(.up)
        return Swift.max(1, Swift.min(UInt64(target), storedTotalCount))
    }

    /// Number of recorded values whose slot lies within `range` (HdrHistogram's
    /// `getCountBetweenValues`: both ends are widened to their whole slot).
    public func count(within range: ClosedRange<UInt64>) -> UInt64 {
        let highestTrackable = layout.highestTrackableValue
        guard range.lowerBound <= highestTrackable else { return 0 }
        let low = layout.countsIndex(of: range.lowerBound)
        let high = layout.countsIndex(of: Swift.min(range.upperBound, highestTrackable))
        var total: UInt64 = 0
        for index in low...high { total &+= counts[index] }
        return total
    }

    /// Number of recorded values above `value` (slot-widened as in `count(within:)`); values beyond
    /// the trackable range were clamped into the top slot and count as above anything below it.
    public func count(above value: UInt64) -> UInt64 {
        guard value < layout.highestTrackableValue else { return overflowCount }
        return count(within: (value + 1)...layout.highestTrackableValue)
    }

    /// Arithmetic mean, computed as HdrHistogram does from each slot's median equivalent value;
    /// 0 when empty.
    public var mean: Double {
        guard storedTotalCount > 0 else { return 0 }
        var total = 0.0
        forEachRecordedSlot { value, count in
            total += Double(layout.medianEquivalentValue(value)) * Double(count)
        }
        return total / Double(storedTotalCount)
    }

    /// Population standard deviation from slot median values (HdrHistogram's definition); 0 when empty.
    public var standardDeviation: Double {
        guard storedTotalCount > 0 else { return 0 }
        let mean = self.mean
        var squares = 0.0
        forEachRecordedSlot { value, count in
            let deviation = Double(layout.medianEquivalentValue(value)) - mean
            squares += deviation * deviation * Double(count)
        }
        return (squares / Double(storedTotalCount)).squareRoot()
    }

    /// Calls `body` with the lowest value and the count of every non-empty slot, in value order.
    public func forEachRecordedSlot(_ body: (_ lowestValue: UInt64, _ count: UInt64) throws -> Void) rethrows {
        for index in counts.indices where counts[index] != 0 {
            try body(layout.value(atIndex: index), counts[index])
        }
    }
}
