import StarlingApp
import Testing

/// The judgement of `starling bench stall --check` (the open-loop accuracy benchmark, run by
/// `.ci/run` rather than in this suite: it is a 35 s wall-clock measurement). Here, on numbers.
@Suite struct StallTruthTests {
    let truth = StallTruth(period: 10, stall: 1, firstAfter: 7, duration: 25)

    func truthAt(_ shift: (Double) -> Double = { $0 }) -> [Double: Double] {
        Dictionary(uniqueKeysWithValues: [50.0, 90, 99, 99.9].map { ($0, shift(truth.percentile($0))) })
    }

    @Test func aMeasurementAtTheTruthPasses() {
        #expect(truth.misses(openLoop: truthAt(), closedLoopP99: 3, releaseLagMilliseconds: 0).isEmpty)
        // Late by the server's own drain time: still the truth.
        #expect(truth.misses(openLoop: truthAt { $0 + 15 }, closedLoopP99: 3, releaseLagMilliseconds: 15).isEmpty)
    }

    @Test func eachKindOfMissIsNamed() {
        let early = truth.misses(openLoop: truthAt { $0 > 0 ? $0 * 0.97 : 0 }, closedLoopP99: 3, releaseLagMilliseconds: 0)
        #expect(early.count == 2 && early.allSatisfy { $0.hasPrefix("p99") }, "\(early)")
        let slowMedian = truth.misses(openLoop: truthAt { $0 == 0 ? 25 : $0 }, closedLoopP99: 3, releaseLagMilliseconds: 0)
        #expect(slowMedian.contains { $0.hasPrefix("p50:") } && slowMedian.contains { $0.hasPrefix("p90:") }, "\(slowMedian)")
        let closedSeesIt = truth.misses(openLoop: truthAt(), closedLoopP99: 900, releaseLagMilliseconds: 0)
        #expect(closedSeesIt.count == 1 && closedSeesIt[0].contains("closed loop"))
        var missing = truthAt()
        missing[99.9] = nil
        #expect(truth.misses(openLoop: missing, closedLoopP99: 3, releaseLagMilliseconds: 0) == ["p99.9: not measured"])
    }
}
