/// Relative activity over a day: 24 hourly weights, linearly interpolated between hour midpoints,
/// and an uplift factor on Saturdays and Sundays. `intensity(at:)` is in 0…1 relative to the peak.
public struct DailyCurve: Equatable, Sendable {
    public let hourly: [Double]
    public let weekendUplift: Double
    let peak: Double

    public init(hourly: [Double], weekendUplift: Double = 1) {
        precondition(hourly.count == 24, "a daily curve has 24 hourly weights")  // checked by the decoder
        self.hourly = hourly
        self.weekendUplift = weekendUplift
        peak = max(hourly.max() ?? 1, .leastNonzeroMagnitude) * max(weekendUplift, 1)
    }

    /// Activity at Unix second `t`, relative to the busiest moment of the week (0…1).
    public func intensity(at t: Int64) -> Double {
        intensity(secondOfDay: CivilTime.secondOfDay(epochSeconds: t), weekend: CivilTime.weekday(epochSeconds: t) >= 5)
    }

    /// Activity at a second of the week (Monday 00:00 = 0).
    @inline(__always)
    public func intensity(secondOfWeek: Int) -> Double {
        intensity(secondOfDay: secondOfWeek % 86_400, weekend: secondOfWeek >= 5 * 86_400)
    }

    /// Activity at a second of the day (0..<86 400), on a weekend day or not.
    public func intensity(secondOfDay: Int, weekend: Bool) -> Double {
        let hourPosition = Double(secondOfDay) / 3600 - 0.5
        // Rounded down: -0.5 ≤ hourPosition < 23.5, so truncation is wrong only below 0.
        let lower = hourPosition < 0 ? -1 : Int(hourPosition)
        let fraction = hourPosition - Double(lower)
        let a = hourly[(lower + 24) % 24]
        let b = hourly[(lower + 25) % 24]
        return (a + (b - a) * fraction) * (weekend ? weekendUplift : 1) / peak
    }

    /// Shoppers in stores: quiet mornings, a lunch peak and a larger after-work peak.
    public static let retail = DailyCurve(hourly: [
        0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.12, 0.25, 0.40, 0.55, 0.70,
        0.95, 0.90, 0.62, 0.58, 0.70, 0.92, 1.00, 0.85, 0.60, 0.38, 0.18, 0.06,
    ], weekendUplift: 1.35)

    /// Online shopping and marketing: low at night (about 7% of the day's activity from midnight to
    /// 6 am), a midday plateau around 1 pm and a second evening peak around 9 pm (docs/realism.md).
    public static let online = DailyCurve(hourly: [
        0.40, 0.26, 0.18, 0.14, 0.13, 0.15, 0.22, 0.35, 0.52, 0.70, 0.84, 0.93,
        1.00, 1.00, 0.95, 0.88, 0.84, 0.82, 0.83, 0.86, 0.89, 0.89, 0.78, 0.60,
    ], weekendUplift: 1.15)
}
