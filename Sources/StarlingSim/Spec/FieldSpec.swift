import Foundation

/// How one column of a datasource described by its `.datasource` schema gets its values: the field-spec
/// vocabulary of a scenario (`"columns": {"country": {"attribute_of": "user", "one_of": {…}}}`).
/// Every draw comes from a random stream keyed by (seed, session, event) or, for an attribute, by
/// (seed, column, entity), so output never depends on how the work is split.
public indirect enum FieldSpec: Sendable, Equatable {
    /// The event's time (`DateTime`, `DateTime64`, `Date` columns).
    case time
    /// An id of a population's member: `format` with `{n}` replaced by its number (1 = most popular).
    case entity(EntitySpec)
    /// A value drawn once per member of the named entity, so it stays stable across its events.
    case attribute(of: String, FieldSpec)
    /// One of the values, by weight.
    case oneOf([SpecLiteral], weights: [Double])
    case number(NumberSpec)
    /// `true` with probability `rate`.
    case bool(rate: Double)
    case uuid
    /// Text with `{n}` (the session's number), `{i}` (the event's place in its session, from 1) and
    /// `{entity}` (the session entity's number) replaced.
    case template(String)
    /// A realistic value of a kind Starling knows (`email`, `url`, `ipv4`, `user_agent`, `referrer`…).
    case fake(FakeKind)
    /// An array of `length` items, each drawn from the spec.
    case arrayOf(FieldSpec, length: ClosedRange<Int>)
    /// A JSON object (keys in order): as text in a String column, as an object in a Map column.
    case json([(key: String, spec: FieldSpec)])
    /// Always this value.
    case constant(SpecLiteral)
    /// `null` with probability `rate`, else the wrapped spec (`"null_rate"`).
    case nullable(FieldSpec, rate: Double)

    public static func == (a: FieldSpec, b: FieldSpec) -> Bool {
        switch (a, b) {
        case (.time, .time), (.uuid, .uuid): return true
        case (.entity(let x), .entity(let y)): return x == y
        case (.attribute(let x, let s), .attribute(let y, let t)): return x == y && s == t
        case (.oneOf(let x, let w), .oneOf(let y, let v)): return x == y && w == v
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.template(let x), .template(let y)): return x == y
        case (.fake(let x), .fake(let y)): return x == y
        case (.arrayOf(let s, let l), .arrayOf(let t, let m)): return s == t && l == m
        case (.json(let x), .json(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.spec == $1.spec }
        case (.constant(let x), .constant(let y)): return x == y
        case (.nullable(let s, let r), .nullable(let t, let q)): return s == t && r == q
        default: return false
        }
    }
}

/// A population: `{"entity": "user", "count": 50000, "popularity": {"zipf": 1.1}, "format": "user_{n}"}`.
public struct EntitySpec: Sendable, Equatable {
    public var name: String
    public var count: Int
    /// Zipf exponent of popularity (0: uniform).
    public var zipf: Double
    /// The id's text: `{n}` is the member's number.
    public var format: String

    public init(name: String, count: Int = 10_000, zipf: Double = 1.0, format: String? = nil) {
        self.name = name
        self.count = count
        self.zipf = zipf
        self.format = format ?? "\(name)_{n}"
    }
}

/// A number: uniform in a range, normal, log-normal or Poisson; rounded to `decimals` digits and
/// clamped to `[min, max]` when given.
public struct NumberSpec: Sendable, Equatable {
    public enum Distribution: Sendable, Equatable {
        case uniform(min: Double, max: Double)
        case normal(mean: Double, sd: Double)
        case logNormal(median: Double, sigma: Double)
        case poisson(mean: Double)
    }

    public var distribution: Distribution
    public var decimals: Int
    public var min: Double?
    public var max: Double?

    /// 10^decimals.
    var scale: Double { Self.powersOfTen[decimals] }

    public init(_ distribution: Distribution, decimals: Int = 0, min: Double? = nil, max: Double? = nil) {
        self.distribution = distribution
        self.decimals = decimals
        self.min = min
        self.max = max
    }

    /// A draw, rounded and clamped.
    public func sample(using rng: inout Xoshiro256) -> Double {
        var value: Double
        switch distribution {
        case .uniform(let lo, let hi):
            value = decimals == 0 ? Double(Int(lo.rounded(.up)) + rng.below(Int(hi.rounded(.down)) - Int(lo.rounded(.up)) + 1)) : lo + (hi - lo) * rng.unit()
        case .normal(let mean, let sd): value = mean + sd * Self.standardNormal(using: &rng)
        case .logNormal(let median, let sigma): value = median * exp(sigma * Self.standardNormal(using: &rng))
        case .poisson(let mean): value = Double(StarlingSim.Distribution.poisson(mean: mean, using: &rng))
        }
        value = decimals == 0 ? value.roundedInline : (value * scale).roundedInline / scale
        if let min { value = Swift.max(min, value) }
        if let max { value = Swift.min(max, value) }
        return value
    }

    /// A standard normal as the inverse of its CDF at one uniform draw (Acklam's rational
    /// approximation, relative error below 1.2e-9): no logarithm for 95 % of draws, one draw per
    /// value. Spec numbers only; the seed domains' golden output keeps their Box–Muller draws.
    @inline(__always)
    static func standardNormal(using rng: inout Xoshiro256) -> Double {
        inverseNormal(rng.openUnit() * (1 - 0x1p-54))
    }

    /// Φ⁻¹(p) for 0 < p < 1 (Peter Acklam's algorithm).
    static func inverseNormal(_ p: Double) -> Double {
        let low = 0.024_25
        if p < low || p > 1 - low {
            let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
            let x = (((((-7.784_894_002_430_293e-03 * q - 3.223_964_580_411_365e-01) * q - 2.400_758_277_161_838) * q
                - 2.549_732_539_343_734) * q + 4.374_664_141_464_968) * q + 2.938_163_982_698_783)
                / ((((7.784_695_709_041_462e-03 * q + 3.224_671_290_700_398e-01) * q + 2.445_134_137_142_996) * q
                    + 3.754_408_661_907_416) * q + 1)
            return p < low ? x : -x
        }
        let q = p - 0.5
        let r = q * q
        return (((((-3.969_683_028_665_376e+01 * r + 2.209_460_984_245_205e+02) * r - 2.759_285_104_469_687e+02) * r
            + 1.383_577_518_672_690e+02) * r - 3.066_479_806_614_716e+01) * r + 2.506_628_277_459_239) * q
            / (((((-5.447_609_879_822_406e+01 * r + 1.615_858_368_580_409e+02) * r - 1.556_989_798_598_866e+02) * r
                + 6.680_131_188_771_972e+01) * r - 1.328_068_155_288_572e+01) * r + 1)
    }

    static let powersOfTen: [Double] = (0...9).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }
}

/// A literal value of a spec (`one_of`, `value`): a string, a number (its exact text) or a boolean.
public enum SpecLiteral: Sendable, Equatable, Hashable, CustomStringConvertible {
    case string(String)
    case number(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// Kinds of realistic values with built-in vocabularies (`FakeValues`).
public enum FakeKind: String, Sendable, Equatable, CaseIterable {
    case email, url, pathname, domain, ipv4, userAgent = "user_agent", referrer, country, city, browser, os, device, language, name
}
