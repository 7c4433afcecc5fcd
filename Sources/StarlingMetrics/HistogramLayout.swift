/// The bucket geometry of an HDR histogram: which slot of the counts array a value falls into,
/// and which values a slot stands for.
///
/// The math is HdrHistogram's (Gil Tene's Java original, also used by the C, Go and Python ports),
/// so that counts arrays, and therefore the V2 wire encoding, are interchangeable with theirs:
///
/// - Bucket 0 covers `0 ..< subBucketCount << unitMagnitude` in steps of `1 << unitMagnitude`.
/// - Bucket `k > 0` covers the upper half of the next power of two in steps of `1 << (unitMagnitude + k)`;
///   its lower half is already covered, more precisely, by the buckets before it.
/// - `subBucketCount` is the smallest power of two ≥ `2 × 10^significantDigits`, which keeps every
///   value's error below `10^-significantDigits` of the value.
public struct HistogramLayout: Sendable, Hashable {
    /// The smallest value distinguished from 0 (rounded down to a power of two for the math).
    public let lowestDiscernibleValue: UInt64
    /// The largest value recorded without clamping.
    public let highestTrackableValue: UInt64
    /// Decimal digits of precision kept for every value (1...5).
    public let significantDigits: Int

    /// `log2(lowestDiscernibleValue)`, rounded down.
    @usableFromInline let unitMagnitude: Int
    /// `log2(subBucketCount / 2)`.
    @usableFromInline let subBucketHalfCountMagnitude: Int
    /// Mask of the values that fall in bucket 0.
    @usableFromInline let subBucketMask: UInt64
    /// 64 minus the bit width of the largest value in bucket 0: turns a leading-zero count into a bucket.
    @usableFromInline let leadingZeroCountBase: Int

    /// Number of exponential buckets needed to reach `highestTrackableValue`.
    public let bucketCount: Int
    /// Number of linear sub-buckets in each bucket.
    public var subBucketCount: Int { 1 << (subBucketHalfCountMagnitude + 1) }
    @usableFromInline var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }
    /// Length of the counts array: `(bucketCount + 1) × subBucketCount / 2`.
    public var countsLength: Int { (bucketCount + 1) << subBucketHalfCountMagnitude }

    /// Validates the configuration; HdrHistogram rejects the same ones.
    public init(
        lowestDiscernibleValue: UInt64, highestTrackableValue: UInt64, significantDigits: Int
    ) throws(MetricsError) {
        guard (1...5).contains(significantDigits) else {
            throw .invalidConfiguration("significant digits must be 1...5, got \(significantDigits)")
        }
        guard lowestDiscernibleValue >= 1, lowestDiscernibleValue <= UInt64(Int64.max) / 2 else {
            throw .invalidConfiguration(
                "lowest discernible value must be 1...\(UInt64(Int64.max) / 2), got \(lowestDiscernibleValue)")
        }
        guard highestTrackableValue >= 2 * lowestDiscernibleValue,
            highestTrackableValue <= UInt64(Int64.max)
        else {
            throw .invalidConfiguration(
                "highest trackable value must be ≥ 2 × lowest (\(2 * lowestDiscernibleValue)) "
                    + "and ≤ Int64.max, got \(highestTrackableValue)")
        }
        guard UInt64.bitWidth - lowestDiscernibleValue.leadingZeroBitCount - 1
            + Self.subBucketCountMagnitude(significantDigits) <= 62
        else {
            throw .invalidConfiguration(
                "lowest discernible value \(lowestDiscernibleValue) is too large for \(significantDigits) digits")
        }
        self.init(
            validatedLowest: lowestDiscernibleValue, highest: highestTrackableValue, digits: significantDigits)
    }

    /// The default for latencies: microseconds from 1 µs to 1 hour (3,600,000,000 µs), 3 digits.
    public static let microsecondsUpToOneHour = HistogramLayout(
        validatedLowest: 1, highest: 3_600_000_000, digits: 3)

    /// log2 of the smallest power of two ≥ 2 × 10^digits.
    static func subBucketCountMagnitude(_ digits: Int) -> Int {
        var singleUnitLimit: UInt64 = 2
        for _ in 0..<digits { singleUnitLimit *= 10 }
        return UInt64.bitWidth - (singleUnitLimit - 1).leadingZeroBitCount
    }

    init(validatedLowest lowestDiscernibleValue: UInt64, highest highestTrackableValue: UInt64, digits: Int) {
        let subBucketCountMagnitude = Self.subBucketCountMagnitude(digits)
        let unitMagnitude = UInt64.bitWidth - 1 - lowestDiscernibleValue.leadingZeroBitCount
        self.lowestDiscernibleValue = lowestDiscernibleValue
        self.highestTrackableValue = highestTrackableValue
        self.significantDigits = digits
        self.unitMagnitude = unitMagnitude
        self.subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
        let subBucketCount = UInt64(1) << (subBucketHalfCountMagnitude + 1)
        self.subBucketMask = (subBucketCount - 1) << UInt64(unitMagnitude)
        self.leadingZeroCountBase = UInt64.bitWidth - unitMagnitude - subBucketHalfCountMagnitude - 1

        var smallestUntrackable = subBucketCount << UInt64(unitMagnitude)
        var buckets = 1
        while smallestUntrackable <= highestTrackableValue {
            if smallestUntrackable > UInt64(Int64.max) / 2 {
                buckets += 1
                break
            }
            smallestUntrackable <<= 1
            buckets += 1
        }
        self.bucketCount = buckets
    }

    // MARK: Value → slot

    @inlinable func bucketIndex(of value: UInt64) -> Int {
        leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
    }

    @inlinable func subBucketIndex(of value: UInt64, bucket: Int) -> Int {
        Int(truncatingIfNeeded: value >> UInt64(bucket + unitMagnitude))
    }

    /// Index in the counts array of the slot holding `value`. `value` must be ≤ `highestTrackableValue`
    /// (or any value that shares a slot with it).
    @inlinable public func countsIndex(of value: UInt64) -> Int {
        let bucket = bucketIndex(of: value)
        let subBucket = subBucketIndex(of: value, bucket: bucket)
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - subBucketHalfCount
    }

    // MARK: Slot → values

    /// The lowest value that falls in slot `index`.
    public func value(atIndex index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }

    /// Width of the range of values that share `value`'s slot.
    public func sizeOfEquivalentRange(_ value: UInt64) -> UInt64 {
        let bucket = bucketIndex(of: value)
        let subBucket = subBucketIndex(of: value, bucket: bucket)
        let adjustedBucket = subBucket >= subBucketCount ? bucket + 1 : bucket
        return UInt64(1) << UInt64(unitMagnitude + adjustedBucket)
    }

    /// The lowest value that shares `value`'s slot.
    public func lowestEquivalentValue(_ value: UInt64) -> UInt64 {
        let bucket = bucketIndex(of: value)
        let subBucket = subBucketIndex(of: value, bucket: bucket)
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }

    /// The highest value that shares `value`'s slot.
    public func highestEquivalentValue(_ value: UInt64) -> UInt64 {
        lowestEquivalentValue(value) + sizeOfEquivalentRange(value) - 1
    }

    /// The middle of `value`'s slot (what HdrHistogram uses for mean and standard deviation).
    public func medianEquivalentValue(_ value: UInt64) -> UInt64 {
        lowestEquivalentValue(value) + sizeOfEquivalentRange(value) >> 1
    }
}
