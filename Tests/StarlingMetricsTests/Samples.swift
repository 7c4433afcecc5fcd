import Foundation

/// Seeded sample generators for the histogram tests (SplitMix64: fixed seeds, same values everywhere).
struct SampleGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Uniform in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    mutating func uniform(_ range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + next() % (range.upperBound - range.lowerBound + 1)
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 1e-12)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * unit())
    }
}

/// Latency-like distributions, in microseconds.
enum Distribution: String, CaseIterable, CustomStringConvertible {
    case uniform, logNormal, bimodalWithStall

    var description: String { rawValue }

    func samples(count: Int, seed: UInt64) -> [UInt64] {
        var generator = SampleGenerator(seed: seed)
        return (0..<count).map { index in
            switch self {
            case .uniform:
                return generator.uniform(1...1_000_000)
            case .logNormal:
                return UInt64(exp(log(2_000.0) + 1.0 * generator.normal()).rounded()) + 1
            case .bimodalWithStall:
                // 99 % fast responses around 500 µs, 1 % caught behind a ~1.5 s stall.
                return index % 100 == 37
                    ? generator.uniform(1_400_000...1_600_000) : generator.uniform(300...700)
            }
        }
    }
}

/// The value of rank ceil(perMillion / 10^6 × n) in sorted order, in exact integer arithmetic.
func exactPercentile(_ sorted: [UInt64], perMillion: Int) -> UInt64 {
    let n = sorted.count
    let rank = Swift.max(1, (perMillion * n + 999_999) / 1_000_000)
    return sorted[rank - 1]
}
