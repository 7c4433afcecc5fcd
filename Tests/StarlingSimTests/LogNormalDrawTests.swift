import Foundation
import Testing
@testable import StarlingSim

/// The integer log-normal draws (`cosTwoPi` instead of libm's `cos`, with the libm expression
/// deciding near a boundary) against the libm expressions they stand for: the same integer for every
/// pair of uniforms, including uniforms at the ends of their ranges and medians placed so that the
/// exact value lies within a few ulps of a rounding boundary (where a missing or too small error
/// bound gives a wrong integer).
@Suite struct LogNormalDrawTests {
    /// Uniforms in (0, 1] as `openUnit()` makes them (k·2^-53): random ones and both ends.
    static func openUnits(random count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        var values: [Double] = []
        for k in 1...2000 {
            let low: Double = Double(k) * 0x1p-53
            values += [low, 1 - low + 0x1p-53]
        }
        for _ in 0..<count { values.append(rng.openUnit()) }
        return values
    }

    /// Uniforms in [0, 1) as `unit()` makes them: random ones, the ends and the quarter turns.
    static func units(random count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        var values: [Double] = []
        for quarter in [0.0, 0.25, 0.5, 0.75, 1.0] {
            for k in -40...40 {
                let v: Double = quarter + Double(k) * 0x1p-53
                if v >= 0, v < 1 { values.append(v) }
            }
        }
        for _ in 0..<count { values.append(rng.unit()) }
        return values
    }

    @Test func cosTwoPiIsWithinItsBound() {
        var worst = 0.0
        for v in Self.units(random: 500_000, seed: 3) + [1.0] {
            worst = max(worst, abs(Distribution.cosTwoPi(v) - cos(2 * Double.pi * v)))
        }
        #expect(worst <= 4.6e-14 + 1.2e-15, "worst absolute error \(worst)")
    }

    /// Medians and sigmas of the built-in scenarios (dwell, touchpoint time, session gap), the ends of
    /// the decoders' ranges, and odd ones (0, subnormal, negative, huge, not a number).
    static let parameters: [(median: Double, sigma: Double)] = [
        (540, 0.55), (1500, 0.55), (2, 0.6), (4, 0.6), (30, 0.6), (240, 0.6), (20, 1), (0.5, 3), (8760, 3),
        (1, 0), (2.5, 0), (21_600.5, 0), (0, 1), (1e-300, 2), (86_400, 3), (7, 25), (-40, 0.6), (3e15, 0.2),
        (.nan, 0.5), (5, .infinity),
    ]

    @Test(arguments: parameters)
    func roundedIsTheLibmInteger(median: Double, sigma: Double) {
        let u1s = Self.openUnits(random: 100_000, seed: 5), u2s = Self.units(random: 100_000, seed: 6)
        var rng = Xoshiro256(seed: 7)
        for (i, u1) in u1s.enumerated() {
            // Every u1 with a random u2, and every u2 with a random u1.
            for (a, b) in [(u1, u2s[rng.below(u2s.count)]), (u1s[rng.below(u1s.count)], u2s[i % u2s.count])] {
                let exact = Distribution.logNormal(median: median, sigma: sigma, a, b)
                guard exact.isFinite, abs(exact) < 0x1p62 else { continue }  // Int(exact) would trap
                #expect(Distribution.roundedLogNormal(median: median, sigma: sigma, a, b) == Int(exact.rounded()),
                        "median \(median) sigma \(sigma) u1 \(a) u2 \(b)")
            }
        }
    }

    @Test(arguments: parameters)
    func truncatedIsTheLibmInteger(median: Double, sigma: Double) {
        let u1s = Self.openUnits(random: 100_000, seed: 8), u2s = Self.units(random: 100_000, seed: 9)
        var rng = Xoshiro256(seed: 10)
        for u1 in u1s {
            let u2 = u2s[rng.below(u2s.count)]
            let exact = Distribution.logNormal(median: median, sigma: sigma, u1, u2) * 3600
            guard exact.isFinite, abs(exact) < 0x1p62 else { continue }
            #expect(Distribution.truncatedLogNormal(median: median, sigma: sigma, scale: 3600, u1, u2) == Int64(exact),
                    "median \(median) sigma \(sigma) u1 \(u1) u2 \(u2)")
        }
    }

    /// Medians chosen so the exact value is a few ulps either side of a half (rounding) or of an
    /// integer (truncation): only the error bound keeps the polynomial path from the wrong integer,
    /// and both paths are taken.
    @Test(arguments: [0.0, 0.55, 0.6, 1, 3])
    func atTheBoundaries(sigma: Double) {
        var rng = Xoshiro256(seed: 11)
        var decided = 0, deferred = 0
        for _ in 0..<100_000 {
            let u1 = rng.openUnit(), u2 = rng.unit()
            let unitValue = Distribution.logNormal(median: 1, sigma: sigma, u1, u2)
            let target = Double(1 + rng.below(30_000))
            for boundary in [target + 0.5, target] {
                var median = boundary / unitValue
                for _ in 0..<rng.below(4) { median = rng.unit() < 0.5 ? median.nextUp : median.nextDown }
                let exact = Distribution.logNormal(median: median, sigma: sigma, u1, u2)
                guard exact < 0x1p62 else { continue }
                #expect(Distribution.roundedLogNormal(median: median, sigma: sigma, u1, u2) == Int(exact.rounded()),
                        "median \(median) sigma \(sigma) u1 \(u1) u2 \(u2)")
                #expect(Distribution.truncatedLogNormal(median: median, sigma: sigma, scale: 1, u1, u2) == Int64(exact),
                        "median \(median) sigma \(sigma) u1 \(u1) u2 \(u2)")
                let fast = Distribution.polynomialCosLogNormal(median: median, sigma: sigma, u1, u2)
                if IntegerDecision.rounded(fast, bound: Distribution.logNormalBound(sigma: sigma)) != nil {
                    decided += 1
                } else {
                    deferred += 1
                }
            }
        }
        #expect(deferred > 0 && decided > 0, "decided \(decided), deferred \(deferred)")
    }

    @Test func decisionsNearTheirBoundaries() {
        #expect(IntegerDecision.rounded(2.5, bound: 0) == nil)
        #expect(IntegerDecision.rounded(2.5.nextDown, bound: 0) == nil)  // within the 2^-40 floor
        #expect(IntegerDecision.rounded(2.499, bound: 1e-11) == 2)
        #expect(IntegerDecision.rounded(2.501, bound: 1e-11) == 3)
        #expect(IntegerDecision.rounded(-0.0, bound: 1e-11) == 0)
        #expect(IntegerDecision.truncated(3, bound: 1e-11) == nil)
        #expect(IntegerDecision.truncated(2.999_999_999_999, bound: 1e-11) == nil)
        #expect(IntegerDecision.truncated(2.999, bound: 1e-11) == 2)
        #expect(IntegerDecision.truncated(0.25, bound: 1e-11) == 0)
        for value in [-0.1, .nan, .infinity, 0x1p41] {
            #expect(IntegerDecision.rounded(value, bound: 1e-11) == nil)
            #expect(IntegerDecision.truncated(value, bound: 1e-11) == nil)
        }
    }

    /// The public draws consume the uniforms the libm ones do, in the same order.
    @Test func drawsConsumeTheSameUniforms() {
        var fast = Xoshiro256(seed: 15), exact = Xoshiro256(seed: 15)
        for i in 0..<100_000 {
            if i % 2 == 0 {
                #expect(Distribution.roundedLogNormal(median: 540, sigma: 0.55, using: &fast)
                    == Int(Distribution.logNormal(median: 540, sigma: 0.55, using: &exact).roundedInline))
            } else {
                #expect(Distribution.truncatedLogNormal(median: 20, sigma: 1, scale: 3600, using: &fast)
                    == Int64(Distribution.logNormal(median: 20, sigma: 1, using: &exact) * 3600))
            }
        }
        #expect(fast.next() == exact.next())
    }
}
