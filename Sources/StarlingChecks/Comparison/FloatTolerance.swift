/// How close a Float64 the target computed must be to the oracle's.
///
/// The target and the oracle compute the same real number with floating-point operations in a
/// different order (ClickHouse sums in parallel blocks, the oracle sums money exactly in integer
/// cents), so they differ by about n·ε relatively: below 1e-10 for a million rows. Hence:
/// - an unrounded value (`.float`) matches when |actual − expected| ≤ relative · max(|a|, |e|) + absolute;
/// - a `round(x, 2)` value (`.rounded2`) must equal the oracle's rounding of x (within the same
///   tolerance, for the printed decimal), except when x·100 lies within `tieWindow` (relative) of a
///   half-cent tie, where that noise can tip the rounding either way: then both neighbours match.
/// This is much stricter than a blanket one-cent tolerance, which would hide off-by-one-cent bugs.
public struct FloatTolerance: Sendable, Hashable, Codable {
    public var relative: Double
    public var absolute: Double
    public var tieWindow: Double

    public init(relative: Double = 1e-9, absolute: Double = 1e-9, tieWindow: Double = 1e-9) {
        self.relative = relative
        self.absolute = absolute
        self.tieWindow = tieWindow
    }

    public static let standard = FloatTolerance()

    func close(_ actual: Double, _ expected: Double) -> Bool {
        if actual == expected { return true }
        guard actual.isFinite, expected.isFinite else { return false }
        return abs(actual - expected) <= relative * max(abs(actual), abs(expected)) + absolute
    }

    /// The values `round(x, 2)` may print given the noise on x: one, or both neighbours of a tie.
    func roundings(of x: Double) -> [Double] {
        let scaled = x * 100
        let below = scaled.rounded(.down)
        let distanceToTie = abs(scaled - below - 0.5)
        if distanceToTie <= tieWindow * max(1, abs(scaled)) {
            return [below / 100, (below + 1) / 100]
        }
        return [ClickHouseMath.round2(x)]
    }
}
