import Foundation
import Testing
@testable import StarlingSim

@Suite struct ArrivalCalendarTests {
    /// 2025-05-12 00:00 UTC, a Monday.
    let monday: Int64 = 1_747_008_000

    /// Arrivals drawn over four weeks from a calendar that is busy on Monday 09:00–10:00, a quarter
    /// as busy on Tuesday 14:00–16:00 and closed otherwise: each open hour gets its expected count
    /// within five standard deviations (a Poisson count), a closed minute gets none, and arrivals
    /// never go back in time (across the weeks' turns too).
    @Test func arrivalsFollowTheRateMinuteByMinute() {
        let peak = 2.0  // sessions a second at intensity 1
        let intensity = { (second: Int) -> Double in
            let day = second / 86_400, hour = (second % 86_400) / 3600
            if day == 0, hour == 9 { return 1 }
            if day == 1, hour == 14 || hour == 15 { return 0.25 }
            return 0
        }
        var calendar = ArrivalCalendar(perSecond: peak, start: monday + 3600, intensity: intensity)
        #expect(abs(calendar.weekTotal - peak * 3600 * 1.5) < 1e-6)
        var rng = Xoshiro256(seed: 3)
        var t = Double(monday + 3600)
        var perHour: [Int64: Int] = [:]
        var count = 0
        while true {
            let next = calendar.next(count: Distribution.exponential(mean: 1, using: &rng))
            #expect(next >= t)
            t = next
            if t >= Double(monday + 4 * 604_800) { break }
            let second = Int64(t.rounded(.down))
            let ofWeek = Int((second - monday) % 604_800)
            #expect(intensity(ofWeek) > 0, "an arrival at second \(ofWeek) of the week, which is closed")
            perHour[(second - monday) / 3600, default: 0] += 1
            count += 1
        }
        for week in 0..<4 {
            for (hour, rate) in [(9, 1.0), (24 + 14, 0.25), (24 + 15, 0.25)] {
                let expected = peak * 3600 * rate
                let got = perHour[Int64(week * 168 + hour), default: 0]
                #expect(abs(Double(got) - expected) <= 5 * expected.squareRoot(), "week \(week) hour \(hour): \(got) vs \(expected)")
            }
        }
        #expect(count == perHour.values.reduce(0, +))
    }

    /// A rate of about one session a fortnight still arrives, weeks apart, in the open minute; a
    /// calendar that never opens gives no arrival at all.
    @Test func aRareOrClosedCalendarEnds() {
        var calendar = ArrivalCalendar(perSecond: 1.0 / 60 / 2, start: monday) { $0 / 60 == 600 ? 1 : 0 }  // half a session a week
        var rng = Xoshiro256(seed: 9)
        var t = Double(monday)
        for _ in 0..<50 {
            let next = calendar.next(count: Distribution.exponential(mean: 1, using: &rng))
            #expect(next > t && next.isFinite)
            #expect((Int64(next.rounded(.down)) - monday) % 604_800 / 60 == 600)
            t = next
        }
        // 50 arrivals at half a session a week: about 100 weeks.
        #expect((t - Double(monday)) / 604_800 > 50 && (t - Double(monday)) / 604_800 < 200)
        var closed = ArrivalCalendar(perSecond: 5, start: monday) { _ in 0 }
        #expect(closed.next(count: 0.5) == .infinity)
    }
}
