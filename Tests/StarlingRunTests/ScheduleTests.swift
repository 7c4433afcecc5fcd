import Foundation
import StarlingDisk
import StarlingSim
import Testing
@testable import StarlingRun

@Suite struct ScheduleTests {
    func arrivals(_ profile: RateProfile, _ process: ArrivalProcess, duration: Double) -> [Double] {
        var schedule = ArrivalSchedule(profile: profile, process: process, duration: duration, seed: 3)
        var times: [Double] = []
        while let t = schedule.next() { times.append(t) }
        return times
    }

    @Test func uniformArrivalsAreEvenlySpaced() {
        let times = arrivals(.constant(1000), .uniform, duration: 2)
        #expect((1999...2000).contains(times.count))
        #expect(zip(times, times.dropFirst()).allSatisfy { abs($1 - $0 - 0.001) < 1e-9 })
    }

    @Test func poissonArrivalsHaveTheRate() {
        let times = arrivals(.constant(5000), .poisson, duration: 10)
        // 50,000 expected; a Poisson count has sd √50,000 ≈ 224.
        #expect(abs(times.count - 50_000) < 5 * 224)
        #expect(times == times.sorted())
        #expect(times.allSatisfy { $0 > 0 && $0 < 10 })
    }

    @Test func rampAndStepsShapeTheRate() {
        let ramp = arrivals(.ramp(from: 0, to: 2000), .uniform, duration: 10)
        let firstHalf = ramp.filter { $0 < 5 }.count
        #expect(Double(firstHalf) / Double(ramp.count) < 0.3, "a quarter of the events in the first half of a ramp from 0")
        let steps = arrivals(.steps([RateStep(rate: 100, seconds: 2), RateStep(rate: 1000, seconds: 2)]), .uniform, duration: 4)
        #expect(abs(steps.filter { $0 < 2 }.count - 200) <= 1)
        #expect(abs(steps.filter { $0 >= 2 }.count - 2000) <= 2)
        let spike = RateProfile.spike(base: 10, peak: 1000, at: 1, length: 1)
        #expect(spike.rate(at: 1.5, duration: 3) == 1000 && spike.rate(at: 2.5, duration: 3) == 10)
    }

    @Test func diurnalFollowsTheCurveAndSineStaysPositive() {
        let curve = (0..<24).map { Double($0 == 12 ? 10 : 1) }
        let profile = RateProfile.diurnal(peak: 100, curve: curve, dayLength: 24)
        #expect(profile.rate(at: 12, duration: 24) == 100)
        #expect(profile.rate(at: 3, duration: 24) == 10)
        let sine = RateProfile.sine(mean: 10, amplitude: 50, period: 4)
        #expect(sine.rate(at: 3, duration: 8) == 0)
    }

    @Test(arguments: [
        (#"{"shape": "ramp", "from": 1, "too": 2}"#, "$.run.ingest.rate.too"),
        (#"{"shape": "zigzag"}"#, "$.run.ingest.rate.shape"),
        (#"{"shape": "steps", "steps": [{"per_second": -1}]}"#, "$.run.ingest.rate.steps[0].per_second"),
    ])
    func badRateProfilesNameThePath(rate: String, path: String) {
        let json = #"{"format": 1, "datasources": {"store_visits": {}}, "run": {"ingest": {"rate": \#(rate)}}}"#
        do {
            _ = try Scenario(json: Data(json.utf8), source: "x.json")
            Issue.record("accepted \(rate)")
        } catch {
            #expect(error.description.hasPrefix(path), "\(error)")
        }
    }

    @Test func workQueueHandsOutEverythingThenNil() async {
        let queue = WorkQueue<Int>(clock: SystemClock())
        for i in 0..<100 { _ = queue.push(i) }
        queue.close()
        var seen: [Int] = []
        while let item = queue.pop() { seen.append(item) }
        #expect(seen == Array(0..<100))
        #expect(queue.pop() == nil)
    }

    @Test func workQueueDrainReturnsWhatWasNotTaken() {
        let queue = WorkQueue<Int>(clock: SystemClock())
        for i in 0..<10 { _ = queue.push(i) }
        #expect(queue.pop() == 0)
        #expect(queue.drain() == Array(1..<10))
        queue.close()
        #expect(queue.pop() == nil)
    }

    @Test func splittingABatchKeepsWholeLines() throws {
        let body = Array((0..<7).map { "{\"n\":\($0)}\n" }.joined().utf8)
        let halves = try #require(body.splitLines())
        #expect(halves.firstLines + halves.secondLines == 7)
        #expect(halves.first + halves.second == body)
        #expect(halves.first.last == UInt8(ascii: "\n"))
        #expect(Array("{\"n\":1}\n".utf8).splitLines() == nil)
    }
}
