import Foundation
import Testing
@testable import StarlingSim

@Suite struct RandomTests {
    // Vectors from the reference C implementations (xoshiro256starstar.c, splitmix64.c by Vigna),
    // compiled and run on this machine.
    @Test func xoshiroMatchesReferenceImplementation() {
        var rng = Xoshiro256(state: 1, 2, 3, 4)
        let expected: [UInt64] = [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360, 607_988_272_756_665_600]
        #expect((0..<6).map { _ in rng.next() } == expected)
    }

    @Test func splitMixMatchesReferenceImplementation() {
        var rng = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431]
        #expect((0..<4).map { _ in rng.next() } == expected)
    }

    @Test func entityStreamsDependOnlyOnSeedTagAndIndex() {
        var a = Xoshiro256(seed: 9, stream: StreamTag("visitor"), index: 41)
        var b = Xoshiro256(seed: 9, stream: StreamTag("visitor"), index: 41)
        var other = Xoshiro256(seed: 9, stream: StreamTag("visit"), index: 41)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in other.next() })
        #expect(StreamTag("visitor") == StreamTag(name: "visitor"))
    }

    @Test func unitIntervalsStayInRange() {
        var rng = Xoshiro256(seed: 3)
        for _ in 0..<100_000 {
            let u = rng.unit()
            let o = rng.openUnit()
            #expect(u >= 0 && u < 1)
            #expect(o > 0 && o <= 1)
        }
    }

    @Test(arguments: [[1.0, 2, 3, 4], [0.5, 0, 0.5], [10, 1, 0.1, 0.01, 5]])
    func aliasTableFrequenciesMatchWeights(weights: [Double]) {
        let table = AliasTable(weights: weights)
        var rng = Xoshiro256(seed: 11)
        var counts = Array(repeating: 0, count: weights.count)
        let draws = 400_000
        for _ in 0..<draws { counts[table.sample(using: &rng)] += 1 }
        let total = weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            let expected = Double(draws) * w / total
            // Five standard deviations of a binomial count.
            let sd = (expected * (1 - w / total)).squareRoot()
            #expect(abs(Double(counts[i]) - expected) <= 5 * sd + 1, "weight \(w): \(counts[i]) vs \(expected)")
        }
    }

    @Test func zipfRanksFollowThePowerLaw() {
        let zipf = Zipf(count: 100, exponent: 1)
        var rng = Xoshiro256(seed: 5)
        var counts = Array(repeating: 0, count: 100)
        for _ in 0..<500_000 { counts[zipf.sample(using: &rng)] += 1 }
        // P(rank 1) / P(rank 2) = 2 and P(rank 1) / P(rank 10) = 10 for exponent 1.
        #expect(abs(Double(counts[0]) / Double(counts[1]) - 2) < 0.1)
        #expect(abs(Double(counts[0]) / Double(counts[9]) - 10) < 0.8)
    }

    @Test func continuousDistributionsHaveTheirMoments() {
        var rng = Xoshiro256(seed: 17)
        let n = 200_000
        let exponentials = (0..<n).map { _ in Distribution.exponential(mean: 40, using: &rng) }
        #expect(abs(exponentials.reduce(0, +) / Double(n) - 40) < 0.6)
        let logNormals = (0..<n).map { _ in Distribution.logNormal(median: 600, sigma: 0.5, using: &rng) }.sorted()
        #expect(abs(logNormals[n / 2] - 600) < 10)
        let poissons = (0..<n).map { _ in Distribution.poisson(mean: 3.5, using: &rng) }
        #expect(abs(Double(poissons.reduce(0, +)) / Double(n) - 3.5) < 0.03)
        let large = (0..<n).map { _ in Distribution.poisson(mean: 80, using: &rng) }
        #expect(abs(Double(large.reduce(0, +)) / Double(n) - 80) < 0.2)
        let geometric = (0..<n).map { _ in Distribution.geometric(mean: 4.5, using: &rng) }
        #expect(abs(Double(geometric.reduce(0, +)) / Double(n) - 4.5) < 0.05)
        #expect(geometric.min() == 1)
        let heads = (0..<n).filter { _ in Distribution.bernoulli(0.3, using: &rng) }.count
        #expect(abs(Double(heads) / Double(n) - 0.3) < 0.005)
    }

    /// The ziggurat's draws against the exponential's survival function e^(−t), at points inside the
    /// layers, at the tail's start r ≈ 7.7 and past it (the base layer's exact tail), each within
    /// five standard deviations of its binomial count.
    @Test func zigguratDrawsFollowTheExponentialIncludingItsTail() {
        var rng = Xoshiro256(seed: 23)
        let n = 4_000_000
        let points = [0.01, 0.1, 0.5, 1, 2, 4, 6, ExponentialZiggurat.r, 9, 11]
        var above = Array(repeating: 0, count: points.count)
        var sum = 0.0
        for _ in 0..<n {
            let v = ExponentialZiggurat.sample(using: &rng)
            #expect(v >= 0 && v.isFinite)
            sum += v
            for (i, t) in points.enumerated() where v > t { above[i] += 1 }
        }
        #expect(abs(sum / Double(n) - 1) < 0.003)
        for (i, t) in points.enumerated() {
            let p = exp(-t), expected = Double(n) * p
            let sd = (expected * (1 - p)).squareRoot()
            #expect(abs(Double(above[i]) - expected) <= 5 * sd + 1, "P(X > \(t)): \(above[i]) vs \(expected)")
        }
        // Layers of equal area: the last layer's top is the curve's peak.
        let table = ExponentialZiggurat.table
        #expect(abs(table[255] * (1 - table[257 + 255]) - 0.003_949_659_822_581_557) < 1e-9)
    }
}
