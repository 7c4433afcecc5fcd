/// SplitMix64 (Steele, Lea, Flood 2014): the recommended seeder for the xoshiro family. Each call
/// advances the state by the golden-ratio increment and returns a well-mixed 64-bit value.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser alone: a bijective hash of one 64-bit value.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna 2018): fast, 256-bit state, passes BigCrush. Seeded through
/// SplitMix64 so that any 64-bit seed, including 0, gives a good state.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    @inlinable
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The stream of one entity: a function of the scenario seed, a stream tag (which kind of entity
    /// or decision) and the entity's index only, so that splitting the work never changes it.
    @inlinable
    public init(seed: UInt64, stream: StreamTag, index: UInt64) {
        let a = SplitMix64.mix(seed ^ stream.rawValue)
        self.init(seed: SplitMix64.mix(a &+ index &* 0xD1B5_4A32_D192_ED03))
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1]: safe to take the logarithm of.
    @inlinable @inline(__always)
    public mutating func openUnit() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    /// A uniform integer in 0..<bound (Lemire's nearly-divisionless method; bound > 0).
    @inlinable @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}

/// Names the independent random streams of a scenario. Distinct tags give unrelated streams even
/// for the same entity index.
public struct StreamTag: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A tag from a short name, hashed with FNV-1a so the value is stable across runs and machines.
    public init(_ name: StaticString) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let pointer = name.utf8Start
        for i in 0..<name.utf8CodeUnitCount {
            hash = (hash ^ UInt64(pointer[i])) &* 0x0000_0100_0000_01B3
        }
        rawValue = hash
    }
}

extension Xoshiro256 {
    /// A generator with an exact state, for checking against the reference implementation's vectors.
    init(state s0: UInt64, _ s1: UInt64, _ s2: UInt64, _ s3: UInt64) {
        self.s0 = s0
        self.s1 = s1
        self.s2 = s2
        self.s3 = s3
    }
}
