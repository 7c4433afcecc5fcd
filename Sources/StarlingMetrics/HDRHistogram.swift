/// A High Dynamic Range histogram: fixed memory, every value kept to a chosen number of significant
/// decimal digits, exact merging by adding counts.
///
/// **Units.** The histogram stores plain integers; it has no unit of its own. Starling records
/// latencies in **microseconds**: the default layout (``HistogramLayout/microsecondsUpToOneHour``)
/// tracks 1 µs … 3,600,000,000 µs (1 hour) at 3 significant digits (≤ 0.1 % error) in 23,552
/// counts (184 KiB).
/// Output functions take a scaling ratio (1000 prints milliseconds from microseconds).
///
/// **Nothing dropped.** A value above `highestTrackableValue` is recorded *as* `highestTrackableValue`
/// and counted in ``overflowCount``, so the total stays right and the overflow is visible.
///
/// **Threads.** A value type with no locks: give each worker its own histogram and merge them with
/// ``add(_:)`` at the end (or per interval).
///
/// The bucket math and the V2 encoding are HdrHistogram's, so encoded histograms and `.hlog`
/// files are read by HdrHistogram's tools and by the PyPI `hdrhistogram` package.
public struct HDRHistogram: Sendable, Equatable {
    /// The bucket geometry (range and precision).
    public let layout: HistogramLayout

    @usableFromInline var counts: [UInt64]
    @usableFromInline var storedTotalCount: UInt64 = 0
    @usableFromInline var storedOverflowCount: UInt64 = 0
    /// Exact smallest recorded value; `UInt64.max` while empty.
    @usableFromInline var minValue: UInt64 = .max
    /// Exact largest recorded value (after clamping); 0 while empty.
    @usableFromInline var maxValue: UInt64 = 0

    /// An empty histogram with the given layout (default: microseconds, 1 µs … 1 h, 3 digits).
    public init(layout: HistogramLayout = .microsecondsUpToOneHour) {
        self.layout = layout
        self.counts = [UInt64](repeating: 0, count: layout.countsLength)
    }

    /// An empty histogram; throws if HdrHistogram would reject the settings.
    public init(
        lowestDiscernibleValue: UInt64 = 1, highestTrackableValue: UInt64, significantDigits: Int = 3
    ) throws(MetricsError) {
        self.init(
            layout: try HistogramLayout(
                lowestDiscernibleValue: lowestDiscernibleValue,
                highestTrackableValue: highestTrackableValue,
                significantDigits: significantDigits))
    }

    // MARK: Recording (hot path)

    /// Records one occurrence of `value`. Values above `highestTrackableValue` are clamped to it and
    /// counted in ``overflowCount``. No allocation, no locks.
    @inlinable
    public mutating func record(_ value: UInt64) {
        record(value, count: 1)
    }

    /// Records `count` occurrences of `value` (clamped like ``record(_:)``).
    @inlinable
    public mutating func record(_ value: UInt64, count: UInt64) {
        var value = value
        if value > layout.highestTrackableValue {
            value = layout.highestTrackableValue
            storedOverflowCount &+= count
        }
        counts[layout.countsIndex(of: value)] &+= count
        storedTotalCount &+= count
        if value > maxValue { maxValue = value }
        if value < minValue { minValue = value }
    }

    // MARK: Merging and clearing

    /// Adds every count of `other` into this histogram. With the same layout this is an exact
    /// element-wise sum; otherwise each of `other`'s slots is re-recorded at its lowest equivalent
    /// value (HdrHistogram's behaviour), clamping and counting overflow as ``record(_:count:)`` does.
    public mutating func add(_ other: HDRHistogram) {
        guard other.storedTotalCount > 0 else { return }
        if other.layout == layout {
            for index in 0..<counts.count where other.counts[index] != 0 {
                counts[index] &+= other.counts[index]
            }
            storedTotalCount &+= other.storedTotalCount
            storedOverflowCount &+= other.storedOverflowCount
        } else {
            if other.layout.highestTrackableValue <= layout.highestTrackableValue {
                storedOverflowCount &+= other.storedOverflowCount
            }
            for index in 0..<other.counts.count where other.counts[index] != 0 {
                record(other.layout.value(atIndex: index), count: other.counts[index])
            }
        }
        maxValue = Swift.max(maxValue, Swift.min(other.maxValue, layout.highestTrackableValue))
        minValue = Swift.min(minValue, Swift.min(other.minValue, layout.highestTrackableValue))
    }

    /// Empties the histogram, keeping its memory.
    public mutating func reset() {
        for index in counts.indices { counts[index] = 0 }
        storedTotalCount = 0
        storedOverflowCount = 0
        minValue = .max
        maxValue = 0
    }

    // MARK: Totals

    /// Number of values recorded (overflowed ones included).
    public var totalCount: UInt64 { storedTotalCount }

    /// Number of values that were above `highestTrackableValue` and recorded as that maximum.
    /// Not part of the V2 encoding: a decoded histogram reports 0.
    public var overflowCount: UInt64 { storedOverflowCount }

    /// Whether nothing has been recorded.
    public var isEmpty: Bool { storedTotalCount == 0 }

    /// Smallest recorded value (exact for recorded histograms, the slot's lowest value for decoded
    /// ones); 0 when empty.
    public var min: UInt64 { storedTotalCount == 0 ? 0 : minValue }

    /// Largest recorded value (exact for recorded histograms, the slot's highest value for decoded
    /// ones); 0 when empty.
    public var max: UInt64 { maxValue }

    /// The count stored in the slot that holds `value`.
    public func count(at value: UInt64) -> UInt64 {
        counts[layout.countsIndex(of: Swift.min(value, layout.highestTrackableValue))]
    }
}
