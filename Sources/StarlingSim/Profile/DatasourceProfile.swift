/// A statistic measured on a datasource (its name is the one a target names, see `DomainTargets`).
public struct Statistic: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A share of `n` trials: its tolerance has a sampling term (see `TargetCheck`).
        case proportion
        /// A median, mean or ratio: only the relative tolerance applies.
        case value
    }

    public var name: String
    /// Nil when the data cannot give it (`note` says why).
    public var value: Double?
    /// What it was measured on: the proportion's denominator (sessions, visits, impressions…), or
    /// the rows, sessions or windows a value comes from.
    public var n: Int
    public var kind: Kind
    public var meaning: String
    public var note: String?

    public init(_ name: String, _ value: Double?, n: Int, kind: Kind, meaning: String, note: String? = nil) {
        self.name = name
        self.value = value.flatMap { $0.isFinite ? $0 : nil }
        self.n = n
        self.kind = kind
        self.meaning = meaning
        self.note = note ?? (self.value == nil ? "no data to measure it on" : nil)
    }

    /// `numerator ÷ denominator` of `denominator` trials; not measured when there are none.
    static func proportion(_ name: String, _ numerator: Int, of denominator: Int, meaning: String, none: String) -> Statistic {
        Statistic(name, denominator > 0 ? Double(numerator) / Double(denominator) : nil, n: denominator, kind: .proportion,
                  meaning: meaning, note: denominator > 0 ? nil : none)
    }
}

/// A declared target against its measurement. Within tolerance when
/// |measured − declared| ≤ max(tolerance × declared, 3·√(p(1−p)/n)) for a proportion (p the
/// declared value, n its denominator), ≤ tolerance × declared for any other statistic.
public struct TargetCheck: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case ok
        case out = "OUT"
        /// Unknown statistic, or not enough data (`note` says which): listed, never a pass or a failure.
        case notMeasured = "not measured"
    }

    public var name: String
    public var declared: Double
    /// Relative tolerance, as declared.
    public var tolerance: Double
    /// The absolute deviation allowed (nil when not measured).
    public var allowed: Double?
    /// Which term gave `allowed`: "relative" or "sampling" (3 standard errors).
    public var rule: String?
    public var measured: Double?
    public var n: Int
    public var verdict: Verdict
    public var meaning: String
    public var note: String?

    public init(_ target: DomainTargets.Target, measured statistic: Statistic?) {
        name = target.name
        declared = target.value
        tolerance = target.tolerance
        meaning = target.meaning
        measured = statistic?.value
        n = statistic?.n ?? 0
        guard let statistic else {
            verdict = .notMeasured
            note = "unknown statistic '\(target.name)'"
            return
        }
        guard let value = statistic.value else {
            verdict = .notMeasured
            note = statistic.note
            return
        }
        let relative = target.tolerance * abs(target.value)
        var sampling = 0.0
        if statistic.kind == .proportion, statistic.n > 0 {
            let p = target.value
            sampling = 3 * (max(0, p * (1 - p)) / Double(statistic.n)).squareRoot()
        }
        allowed = max(relative, sampling)
        rule = sampling > relative ? "sampling" : "relative"
        verdict = abs(value - target.value) <= max(relative, sampling) ? .ok : .out
    }
}

/// Something no row may show (an overlap, a cap breach…): how often it happened, and the first few.
public struct Impossibility: Sendable, Equatable, Codable {
    public var name: String
    public var count = 0
    public var meaning: String
    public var examples: [String] = []
    /// Why it was not checked, or checked only in part (e.g. campaigns with no declared channels).
    public var note: String?

    static let exampleLimit = 3

    public init(_ name: String, meaning: String) {
        self.name = name
        self.meaning = meaning
    }

    /// Counts one occurrence; the first three keep their description.
    mutating func record(_ example: @autoclosure () -> String) {
        count += 1
        if examples.count < Self.exampleLimit { examples.append(example()) }
    }
}

/// Everything measured on one datasource's rows.
public struct DatasourceProfile: Sendable, Equatable, Codable {
    public struct Count: Sendable, Equatable, Codable {
        public var name: String
        public var value: Int
    }

    public var datasource: String
    /// The file, or the generated stream, the rows came from.
    public var source: String
    public var rows: Int
    /// The first and last event time (`YYYY-MM-DD HH:MM:SS`, UTC).
    public var first: String?
    public var last: String?
    /// Entities counted: visits, visitors, sessions, users…
    public var counts: [Count]
    /// Each declared target, measured.
    public var targets: [TargetCheck]
    /// Every other statistic measured (no target names it).
    public var statistics: [Statistic]
    public var impossibilities: [Impossibility]
    public var notes: [String]

    /// Every target within tolerance (or not measured) and no impossibility.
    public var passed: Bool {
        !targets.contains { $0.verdict == .out } && !impossibilities.contains { $0.count > 0 }
    }
}

/// A whole `starling profile`: each datasource profiled and the files that were not.
public struct ProfileReport: Sendable, Equatable, Codable {
    public struct Skipped: Sendable, Equatable, Codable {
        public var name: String
        public var reason: String

        public init(name: String, reason: String) {
            self.name = name
            self.reason = reason
        }
    }

    /// The fixtures folder, or the scenario and its window.
    public var source: String
    public var datasources: [DatasourceProfile]
    public var notProfiled: [Skipped]
    public var passed: Bool

    public init(source: String, datasources: [DatasourceProfile], notProfiled: [Skipped] = []) {
        self.source = source
        self.datasources = datasources
        self.notProfiled = notProfiled
        passed = datasources.allSatisfy(\.passed)
    }
}
