import Foundation
import Glibc
import Testing
@testable import StarlingSim

@Suite struct TimeTests {
    /// The hand-written formatter against the C library's gmtime_r + strftime.
    @Test func timestampsMatchTheCLibrary() {
        var rng = Xoshiro256(seed: 1)
        var samples: [Int64] = [0, 86_399, 86_400, 951_782_400, 4_107_542_399, 1_747_008_000, -1]
        for _ in 0..<20_000 { samples.append(Int64(rng.below(4_102_444_800))) }
        for t in samples {
            var time = time_t(t)
            var parts = tm()
            gmtime_r(&time, &parts)
            var buffer = [CChar](repeating: 0, count: 32)
            strftime(&buffer, 32, "%Y-%m-%d %H:%M:%S", &parts)
            let expected = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(formatTimestamp(t) == expected)
            #expect(CivilTime(epochSeconds: t).epochSeconds == t)
            #expect(CivilTime.weekday(epochSeconds: t) == (Int(parts.tm_wday) + 6) % 7)
        }
    }

    @Test(arguments: ["2025-05-12 13:18:07", "2024-02-29 00:00:00", "1999-12-31T23:59:59", "2025-05-12"])
    func parsesValidTimes(text: String) throws {
        let civil = try #require(CivilTime(parsing: text))
        let formatted = formatTimestamp(civil.epochSeconds)
        #expect(formatted.replacingOccurrences(of: " 00:00:00", with: "") == text.replacingOccurrences(of: "T", with: " ")
            || formatted == text.replacingOccurrences(of: "T", with: " "))
    }

    @Test(arguments: ["2025-02-29 00:00:00", "2025-13-01 00:00:00", "2025-05-12 24:00:00", "2025/05/12", "12-05-2025", ""])
    func rejectsInvalidTimes(text: String) {
        #expect(CivilTime(parsing: text) == nil)
    }

    @Test func simulatedClockMapsWallToSimulatedTime() {
        let clock = SimulatedClock(start: 1_000, speed: 60)
        #expect(clock.simulatedTime(afterWallSeconds: 0) == 1_000)
        #expect(clock.simulatedTime(afterWallSeconds: 1.5) == 1_090)
        #expect(clock.wallSeconds(untilSimulated: 1_600) == 10)
    }

    @Test func dailyCurveHasRetailPeaksAndWeekendUplift() throws {
        let monday = try #require(CivilTime(parsing: "2025-05-12 00:00:00")).epochSeconds
        let curve = DailyCurve.retail
        let at = { (hour: Double, day: Int64) in curve.intensity(at: monday + day * 86_400 + Int64(hour * 3600)) }
        #expect(at(12.5, 0) > at(10, 0))
        #expect(at(12.5, 0) > at(15, 0))
        #expect(at(18.5, 0) > at(15, 0))
        #expect(at(3, 0) < 0.05)
        #expect(abs(at(18.5, 5) / at(18.5, 0) - curve.weekendUplift) < 1e-9)
        #expect(at(18.5, 5) <= 1)
    }

    @Test(arguments: [("500ms", 0.5), ("90s", 90.0), ("10m", 600.0), ("24h", 86_400.0), ("7d", 604_800.0), ("2.5", 2.5)])
    func parsesDurations(text: String, seconds: Double) {
        #expect(DurationText.seconds(parsing: text) == seconds)
    }

    @Test func rejectsBadDurations() {
        for text in ["", "abc", "-5s", "5x", "m"] { #expect(DurationText.seconds(parsing: text) == nil, "\(text)") }
    }

    /// Past ten years a duration is a typo, and in nanoseconds it would overflow a run's clocks.
    @Test func rejectsDurationsBeyondTenYears() {
        for text in ["1e9h", "99999999999999999999999s", "3651d", "inf", "nan", "1e300"] {
            #expect(DurationText.seconds(parsing: text) == nil, "\(text)")
        }
        #expect(DurationText.seconds(parsing: "3650d") == DurationText.maximumSeconds)
    }
}
