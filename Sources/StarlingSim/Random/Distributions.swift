import Foundation

/// Weighted choice in O(1) per draw (Vose's alias method).
public struct AliasTable: Sendable {
    /// A column's probability of keeping itself and the column it otherwise yields, side by side so
    /// a draw from a large table (a Zipf over many users) touches one cache line, not two.
    @usableFromInline struct Column: Sendable {
        @usableFromInline var probability: Double
        @usableFromInline var alias: Int
    }

    @usableFromInline let columns: [Column]

    /// `weights` must be non-empty, finite, non-negative and not all zero (the scenario decoder
    /// checks this before a table is built; here a degenerate input falls back to uniform).
    public init(weights: [Double]) {
        let n = max(weights.count, 1)
        let total = weights.reduce(0, +)
        let scaled = total > 0 ? weights.map { $0 * Double(n) / total } : Array(repeating: 1.0, count: n)
        var probability = Array(repeating: 1.0, count: n)
        var alias = Array(0..<n)
        var small: [Int] = []
        var large: [Int] = []
        var work = scaled
        for (i, p) in work.enumerated() { if p < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.popLast() {
            probability[s] = work[s]
            alias[s] = l
            work[l] = work[l] + work[s] - 1
            if work[l] < 1 { small.append(l) } else { large.append(l) }
        }
        columns = zip(probability, alias).map { Column(probability: $0, alias: $1) }
    }

    public var count: Int { columns.count }

    @inlinable
    public func sample(using rng: inout Xoshiro256) -> Int {
        let index = rng.below(columns.count)
        let column = columns[index]
        return rng.unit() < column.probability ? index : column.alias
    }
}

/// Zipf over ranks 0..<n: P(rank k) ∝ 1 / (k + 1)^s. Popular products, power users, returning visitors.
public struct Zipf: Sendable {
    @usableFromInline let table: AliasTable

    public init(count: Int, exponent: Double) {
        table = AliasTable(weights: (0..<max(count, 1)).map { 1 / pow(Double($0 + 1), exponent) })
    }

    @inlinable
    public func sample(using rng: inout Xoshiro256) -> Int { table.sample(using: &rng) }
}

/// Continuous distributions as small value types; each draws from the stream it is given.
public enum Distribution {
    /// Standard normal by Box–Muller (one value per call; simplicity over the spare value).
    @inlinable
    public static func normal(using rng: inout Xoshiro256) -> Double {
        let u1 = rng.openUnit()
        let u2 = rng.unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal given its median and the sigma of the underlying normal.
    @inlinable
    public static func logNormal(median: Double, sigma: Double, using rng: inout Xoshiro256) -> Double {
        median * exp(sigma * normal(using: &rng))
    }

    /// Exponential with the given mean (inter-arrival gaps of a Poisson process).
    @inlinable
    public static func exponential(mean: Double, using rng: inout Xoshiro256) -> Double {
        -mean * log(rng.openUnit())
    }

    @inlinable
    public static func bernoulli(_ p: Double, using rng: inout Xoshiro256) -> Bool {
        rng.unit() < p
    }

    /// Poisson-distributed count (Knuth's method for small means, normal approximation above 30).
    @inlinable
    public static func poisson(mean: Double, using rng: inout Xoshiro256) -> Int {
        if mean > 30 {
            return max(0, Int((mean + mean.squareRoot() * normal(using: &rng)).roundedInline))
        }
        let limit = exp(-mean)
        var product = rng.unit()
        var count = 0
        while product > limit {
            count += 1
            product *= rng.unit()
        }
        return count
    }

    /// Geometric number of trials ≥ 1 with the given mean (mean ≥ 1).
    @inlinable
    public static func geometric(mean: Double, using rng: inout Xoshiro256) -> Int {
        let p = 1 / max(mean, 1)
        if p >= 1 { return 1 }
        return 1 + Int(log(rng.openUnit()) / log(1 - p))
    }
}

extension Double {
    /// `rounded()` (half away from zero) without the call to libm's `round` (the build's baseline,
    /// x86-64 without SSE 4.1, has no rounding instruction), for rounding per event: the
    /// truncation, moved by one when the fraction it dropped, which is exact, is half or more.
    @inlinable @inline(__always)
    public var roundedInline: Double {
        guard abs(self) < 0x1p52 else { return rounded() }  // already whole, or not finite
        let whole = Double(Int64(self))
        let fraction = self - whole
        if fraction >= 0.5 { return whole + 1 }
        if fraction <= -0.5 { return whole - 1 }
        return whole == 0 ? (sign == .minus ? -0.0 : 0.0) : whole
    }
}
