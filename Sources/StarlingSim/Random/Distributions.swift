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

    /// The column or its alias, from one random number (`draw`), chosen without a branch: which
    /// one is as random as the draw (a branch was mispredicted about every other time), so a mask
    /// picks it.
    @inlinable @inline(__always)
    public func sample(using rng: inout Xoshiro256) -> Int {
        let (index, within) = Self.draw(count: columns.count, using: &rng)
        return columns[index].pick(index, within: within)
    }

    /// A draw over `count` columns from one random number: its product with the count gives the
    /// column (the high word, as `Xoshiro256.below`) and, in the low word, where the draw fell inside
    /// the column — uniform and independent of which column, so it decides between the column and its
    /// alias (a second number cost ~12 instructions per draw, a few draws per event). Every alias
    /// table of the generator (`CompactAlias`, `FieldProgram`'s) draws through it.
    @inlinable @inline(__always)
    static func draw(count: Int, using rng: inout Xoshiro256) -> (index: Int, within: UInt64) {
        let product = rng.next().multipliedFullWidth(by: UInt64(count))
        return (Int(truncatingIfNeeded: product.high), product.low)
    }
}

extension AliasTable.Column {
    /// Column `index` (this one) or its alias, for a draw `within` it (`AliasTable.draw`): the
    /// column is kept when the draw's 53 high bits, as a fraction, are below its probability.
    @inlinable @inline(__always)
    func pick(_ index: Int, within: UInt64) -> Int {
        let keep = 0 &- Int(truncatingIfNeeded: unsafeBitCast(Double(within >> 11) * 0x1.0p-53 < probability, to: UInt8.self))
        return alias ^ ((index ^ alias) & keep)
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
        return normal(u1, rng.unit())
    }

    /// `normal(using:)` from its two uniforms.
    @inlinable
    static func normal(_ u1: Double, _ u2: Double) -> Double {
        (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal given its median and the sigma of the underlying normal.
    @inlinable
    public static func logNormal(median: Double, sigma: Double, using rng: inout Xoshiro256) -> Double {
        let u1 = rng.openUnit()
        return logNormal(median: median, sigma: sigma, u1, rng.unit())
    }

    /// `logNormal(median:sigma:using:)` from its two uniforms (those of `normal(using:)`).
    @inlinable
    static func logNormal(median: Double, sigma: Double, _ u1: Double, _ u2: Double) -> Double {
        median * exp(sigma * normal(u1, u2))
    }

    /// The same with `cosTwoPi` for libm's `cos`: within `logNormalBound` of it.
    @inlinable @inline(__always)
    static func polynomialCosLogNormal(median: Double, sigma: Double, _ u1: Double, _ u2: Double) -> Double {
        median * exp(sigma * ((-2 * log(u1)).squareRoot() * cosTwoPi(u2)))
    }

    /// `Int(logNormal(median:sigma:using:).roundedInline)`, the same integer for the same uniforms,
    /// mostly without libm's `cos`: its value is computed with `cosTwoPi` (a polynomial, no branch)
    /// and kept when it is farther from the half than the two computations can differ
    /// (`logNormalBound`); otherwise the libm expression decides. libm's `cos` branches on the
    /// argument's range, mispredicted about once a call here (a touchpoint's time spent, a visit's
    /// dwell: once an event).
    @inlinable
    public static func roundedLogNormal(median: Double, sigma: Double, using rng: inout Xoshiro256) -> Int {
        let u1 = rng.openUnit()
        return roundedLogNormal(median: median, sigma: sigma, u1, rng.unit())
    }

    /// `Int64(logNormal(median:sigma:using:) * scale)`, the same way (see `roundedLogNormal`).
    @inlinable
    public static func truncatedLogNormal(median: Double, sigma: Double, scale: Double, using rng: inout Xoshiro256) -> Int64 {
        let u1 = rng.openUnit()
        return truncatedLogNormal(median: median, sigma: sigma, scale: scale, u1, rng.unit())
    }

    @inlinable @inline(__always)
    static func roundedLogNormal(median: Double, sigma: Double, _ u1: Double, _ u2: Double) -> Int {
        let value = polynomialCosLogNormal(median: median, sigma: sigma, u1, u2)
        if let n = IntegerDecision.rounded(value, bound: logNormalBound(sigma: sigma)) { return Int(n) }
        return exactRoundedLogNormal(median: median, sigma: sigma, u1, u2)
    }

    @usableFromInline @inline(never)
    static func exactRoundedLogNormal(median: Double, sigma: Double, _ u1: Double, _ u2: Double) -> Int {
        Int(logNormal(median: median, sigma: sigma, u1, u2).roundedInline)
    }

    @inlinable @inline(__always)
    static func truncatedLogNormal(median: Double, sigma: Double, scale: Double, _ u1: Double, _ u2: Double) -> Int64 {
        let value = polynomialCosLogNormal(median: median, sigma: sigma, u1, u2)
        if let n = IntegerDecision.truncated(value * scale, bound: logNormalBound(sigma: sigma)) { return n }
        return exactTruncatedLogNormal(median: median, sigma: sigma, scale: scale, u1, u2)
    }

    @usableFromInline @inline(never)
    static func exactTruncatedLogNormal(median: Double, sigma: Double, scale: Double, _ u1: Double, _ u2: Double) -> Int64 {
        Int64(logNormal(median: median, sigma: sigma, u1, u2) * scale)
    }

    /// How far apart, relatively, the log-normal with `cosTwoPi` and the one with libm's `cos` can
    /// be, times more than 100: the normals differ by at most sqrt(-2 ln u1) ≤ 8.58 (u1 ≥ 2^-53) times
    /// the two cosines' distance (≤ 4.6e-14 + 1.2e-15: `cosTwoPi`'s bound, libm's ulp and the
    /// rounding of 2π·u2), so e^(sigma·normal) by at most |sigma| · 4e-13 relatively, plus a few
    /// roundings (the same `log`, `exp` and products in both) under 1e-15.
    @inlinable
    static func logNormalBound(sigma: Double) -> Double { 1e-13 + 1e-10 * abs(sigma) }

    /// cos(2π v) for v in [0, 1], absolute error ≤ 4.6e-14, without a branch: cos(2π v) = sin(2π y)
    /// with y = ¼ - min(v, 1 - v) in [-¼, ¼] (1 - v is exact; y is off by ≤ 2^-56), by its Taylor
    /// series through (2πy)^17/17! (coefficients (2π)^k/k!; remainder ≤ (π/2)^19/19! = 4.4e-14),
    /// evaluated in pairs of terms (Estrin: a shorter chain than Horner's without fused multiply-add).
    @inlinable @inline(__always)
    static func cosTwoPi(_ v: Double) -> Double {
        let y = 0.25 - min(v, 1 - v)
        let q = y * y, q2 = q * q, q4 = q2 * q2
        return y * ((6.283185307179586 + q * -41.34170224039976 + q2 * (81.60524927607506 + q * -76.70585975306139))
            + q4 * (42.058693944897655 + q * -15.09464257682299 + q2 * (3.819952584848282 + q * -0.7181223017785006)
                + q4 * 0.10422916220813984))
    }

    /// Exponential with the given mean (inter-arrival gaps of a Poisson process).
    @inlinable @inline(__always)
    public static func exponential(mean: Double, using rng: inout Xoshiro256) -> Double {
        mean * ExponentialZiggurat.sample(using: &rng)
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
        // The number of failures is ⌊E / −ln(1 − p)⌋ for E exponential of mean 1.
        return 1 + Int(ExponentialZiggurat.sample(using: &rng) / -log(1 - p))
    }
}

/// The integer of a value known only to within a relative `bound`, when every value that close gives
/// the same one; nil otherwise (the caller then computes the exact value).
///
/// For `value` in [0, 2^40], `t = Int64(value)` and `fraction = value - t` are exact (Sterbenz), so
/// the only error is the value's own; the absolute floor 2^-40 covers a value near 0 and dwarfs the
/// rounding of `0.5 ± e` and `1 - e`. Outside that range (or not a number): nil.
@usableFromInline
enum IntegerDecision {
    /// `Int64(x.roundedInline)` (half away from zero) for every x within `bound` of `value`.
    @inlinable @inline(__always)
    static func rounded(_ value: Double, bound: Double) -> Int64? {
        // One branch, almost always taken, then up or down without one (as random as the value).
        // `fraction - 0.5` is exact from 0.25 on, and below that it is far from ±e.
        guard let (whole, fraction, e) = parts(value, bound: bound), abs(fraction - 0.5) > e else { return nil }
        return whole &+ Int64(truncatingIfNeeded: unsafeBitCast(fraction > 0.5, to: UInt8.self))
    }

    /// `Int64(x)` (toward zero) for every x within `bound` of `value`: not when the value is within
    /// that of an integer (below 1, of 0 too: the exact value may be a hair under 0, and 0 it is).
    @inlinable @inline(__always)
    static func truncated(_ value: Double, bound: Double) -> Int64? {
        guard let (whole, fraction, e) = parts(value, bound: bound), fraction < 1 - e, fraction > e else { return nil }
        return whole
    }

    /// The value's whole part and fraction (both exact), and how far from it the exact value may be.
    @inlinable @inline(__always)
    static func parts(_ value: Double, bound: Double) -> (whole: Int64, fraction: Double, error: Double)? {
        guard value >= 0, value <= 0x1p40 else { return nil }
        let whole = Int64(value)
        return (whole, value - Double(whole), value * bound + 0x1p-40)
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

extension Distribution {
    /// P(Z ≤ x) for a standard normal Z.
    public static func standardNormalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The x with P(Z ≤ x) = p (0 < p < 1), by bisection on the CDF: for deriving parameters from
    /// targets once, not for drawing.
    public static func standardNormalQuantile(_ p: Double) -> Double {
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if standardNormalCDF(mid) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}

/// The exponential distribution of mean 1 by the ziggurat method (Marsaglia and Tsang, "The
/// ziggurat method for generating random variables", J. Stat. Softw. 5(8), 2000), with 256 layers
/// of equal area under e^(−x): a draw picks a layer and a point across it from one random number,
/// and 98.9% of draws fall inside the layer's rectangle below the curve and return at once — a
/// multiplication and a comparison where `−ln(u)` cost a call to libm's `log` (7–8% of generating
/// an e-commerce or journey event). The rest test the sliver above the curve (one `exp`) or, from
/// the base layer, draw the tail beyond r exactly (r − ln u). The result has the exponential
/// distribution exactly (up to the resolution of the uniforms), not an approximation of it.
public enum ExponentialZiggurat {
    /// Layer i spans 0 ≤ x < `x[i]` (i = 0: the base layer, its width the area ÷ f(r) so that its
    /// rectangle and the tail beyond r share the area); `x[1]` = r, decreasing to `x[256]` = 0.
    /// Then f(x[i]) = e^(−x[i]) at `x[257 + i]`. A static array, read in place (a struct holding the
    /// tables was copied, or retained and released, at every draw).
    @usableFromInline static let table: [Double] = {
        var x = [Double](repeating: 0, count: 257)
        x[0] = area / exp(-r)
        x[1] = r
        for i in 2..<256 { x[i] = -log(area / x[i - 1] + exp(-x[i - 1])) }
        x[256] = 0
        return x + x.map { exp(-$0) }
    }()
    /// Where the tail starts, and each layer's area (Marsaglia and Tsang's constants for 256 layers).
    @usableFromInline static let r = 7.697_117_470_131_049_72
    static let area = 0.003_949_659_822_581_557_199_3

    /// A draw: inside the rectangle of its layer (98.9%), a few instructions inlined where it is
    /// asked for; otherwise `rest`.
    @inlinable @inline(__always)
    public static func sample(using rng: inout Xoshiro256) -> Double {
        let bits = rng.next()
        let layer = Int(truncatingIfNeeded: bits & 0xFF)
        // 53 bits for the position across the layer, none of them the layer's 8.
        let value = Double(bits >> 11) * 0x1.0p-53 * table[layer]
        if value < table[layer &+ 1] { return value }
        return rest(layer: layer, value: value, using: &rng)
    }

    /// A draw that fell outside its layer's rectangle: the tail beyond r from the base layer, the
    /// value itself when it is under the curve, or a new draw.
    @usableFromInline @inline(never)
    static func rest(layer: Int, value: Double, using rng: inout Xoshiro256) -> Double {
        var layer = layer, value = value
        while true {
            if layer == 0 { return r - log(rng.openUnit()) }
            // A height between the curve at the layer's two edges, against the curve at the value.
            let inner = table[257 &+ layer &+ 1], outer = table[257 &+ layer]
            if inner + (outer - inner) * rng.unit() < exp(-value) { return value }
            let bits = rng.next()
            layer = Int(truncatingIfNeeded: bits & 0xFF)
            value = Double(bits >> 11) * 0x1.0p-53 * table[layer]
            if value < table[layer &+ 1] { return value }
        }
    }
}
