/// When sessions start: a non-homogeneous Poisson process whose rate is constant within each minute
/// of the UTC week (the model's intensity at the minute's middle, times its peak rate), drawn by
/// inversion. The expected number of arrivals since the start of the week is a piecewise-linear
/// function of time (`expected`); each arrival is where it has grown past the previous arrival's by
/// an exponential draw of mean 1. The calendar is a cursor: it keeps the previous arrival's week,
/// minute and expected count, so the next one is a few additions and one division away.
///
/// One exponential draw per session, where thinning (candidates at the peak rate, each kept with
/// the intensity) drew peak ÷ mean candidates per session, each with a logarithm and a random
/// comparison that branch prediction could not learn.
struct ArrivalCalendar: Sendable {
    static let minutesPerWeek = 10_080
    static let weekSeconds: Int64 = 604_800

    /// `expected[m]`: sessions expected in the week's minutes before minute `m` (0…10 080).
    let expected: [Double]
    var weekTotal: Double { expected[Self.minutesPerWeek] }
    /// The previous arrival (or the start): the first second of its week (Monday 00:00 UTC), its
    /// minute of the week and the sessions expected from the week's start to it.
    private(set) var weekStart: Int64
    private var minute: Int
    private var position: Double

    /// The calendar of `intensity` (0…1 of the peak, at a second of the week) at `perSecond`
    /// sessions a second at the peak, its cursor at Unix second `start`.
    init(perSecond: Double, start: Int64, intensity: (Int) -> Double) {
        var expected = [Double](repeating: 0, count: Self.minutesPerWeek + 1)
        var total = 0.0
        for minute in 0..<Self.minutesPerWeek {
            expected[minute] = total
            let rate = perSecond * intensity(minute * 60 + 30)
            // A negative or undefined intensity is no arrival (the models give 0…1).
            if rate > 0, rate.isFinite { total += rate * 60 }
        }
        expected[Self.minutesPerWeek] = total
        self.expected = expected
        let second = PersonSchedule.secondOfWeek(start)
        weekStart = start - Int64(second)
        minute = second / 60
        position = expected[minute] + (expected[minute + 1] - expected[minute]) * Double(second % 60) / 60
    }

    /// The next arrival (Unix seconds, fractional) when `count` sessions (an exponential draw of
    /// mean 1) are to be expected between the previous one and it. Infinity when the week has no
    /// arrival at all, or when the arrival is too far for the calendar (a hundred million weeks).
    mutating func next(count: Double) -> Double {
        let total = weekTotal
        guard total > 0, count >= 0, count.isFinite else { return .infinity }
        var target = position + count
        if target >= total {
            // Into a later week (a scenario quiet for days, or a tiny rate): whole weeks at once.
            let weeks = (target / total).rounded(.down)
            guard weeks < 1e8 else { return .infinity }
            target = max(target - weeks * total, 0)
            weekStart += Int64(weeks) * Self.weekSeconds
            if target >= total { target -= total; weekStart += Self.weekSeconds }
            minute = 0
        }
        // The minute where the expected count passes the target (there is one: the week's total is
        // above it): a few steps at any rate that matters, a search when arrivals are far apart.
        var steps = 0
        while expected[minute &+ 1] <= target {
            minute &+= 1
            steps &+= 1
            if steps == 32 {
                var low = minute, high = Self.minutesPerWeek - 1
                while low < high {
                    let middle = (low &+ high) / 2
                    if expected[middle &+ 1] <= target { low = middle &+ 1 } else { high = middle }
                }
                minute = low
                break
            }
        }
        position = target
        let before = expected[minute], inMinute = expected[minute &+ 1] - before
        let seconds = min(60 * (target - before) / inMinute, 59.999_999)
        return Double(weekStart) + Double(minute &* 60) + max(seconds, 0)
    }
}
