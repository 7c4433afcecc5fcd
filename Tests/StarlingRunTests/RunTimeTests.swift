import Foundation
import StarlingMetrics
import Synchronization
import Testing
@testable import StarlingRun

/// The engine's clock, queue, cancellation and validity rules, in virtual time (no sleeps).
@Suite(.timeLimit(.minutes(1))) struct RunTimeTests {
    @Test func virtualTimeJumpsToTheEarliestDeadlineOnceEveryThreadWaits() {
        let clock = VirtualClock()
        let start = clock.now()
        let woke = Mutex<[UInt64]>([])
        let group = ThreadGroup(clock: clock)
        for seconds in [3, 1, 2] as [UInt64] {
            group.spawn {
                clock.sleep(until: start + seconds * 1_000_000_000, unless: nil)
                woke.withLock { $0.append(clock.now() - start) }
            }
        }
        group.wait()
        #expect(woke.withLock { $0 } == [1_000_000_000, 2_000_000_000, 3_000_000_000])
        #expect(clock.now() - start == 3_000_000_000)
    }

    @Test func aCancellationWakesASleeperAtOnce() {
        let clock = VirtualClock()
        let cancellation = RunCancellation()
        let start = clock.now()
        let group = ThreadGroup(clock: clock)
        group.spawn {
            clock.sleep(until: start + 2_000_000_000, unless: nil)
            cancellation.cancel(.interrupted(signal: "SIGINT"))
        }
        clock.sleep(until: start + 3600 * 1_000_000_000, unless: cancellation)
        #expect(clock.now() - start == 2_000_000_000, "woken by the cancellation, not the hour")
        #expect(cancellation.reason == .interrupted(signal: "SIGINT"))
        group.wait()
    }

    @Test func aNormalEndGivesWayToALaterInterruption() {
        let cancellation = RunCancellation()
        cancellation.finishLoad(.plannedEnd)
        #expect(!cancellation.isCancelled)
        #expect(cancellation.cancel(.interrupted(signal: "SIGTERM")))
        #expect(cancellation.isCancelled && cancellation.reason == .interrupted(signal: "SIGTERM"))
        #expect(!cancellation.cancel(.targetLost(sinceSeconds: 1, reason: "x")), "the first abrupt reason wins")
    }

    @Test func aFullQueueBlocksItsProducerUntilRoomOrDeadline() {
        let clock = VirtualClock()
        let start = clock.now()
        let queue = WorkQueue<Int>(capacity: 2, clock: clock)
        #expect(queue.push(1) == 0 && queue.push(2) == 0)
        #expect(queue.push(3, until: start + 500_000_000) == nil, "full until the deadline")
        #expect(clock.now() - start == 500_000_000)
        let group = ThreadGroup(clock: clock)
        group.spawn {
            clock.sleep(until: start + 2_000_000_000, unless: nil)
            _ = queue.pop()
        }
        #expect(queue.push(3) == 1_500_000_000, "waited from 0.5 s until the consumer made room at 2 s")
        group.wait()
        #expect(queue.count == 2)
    }

    @Test func aFewLateSamplesDoNotMakeARunInvalidButManyDo() {
        let judge = ScheduleLagJudge(rule: .relative, limitMicros: 25_000)
        func lag(onTime: Int, late: Int) -> HDRHistogramFixture { HDRHistogramFixture(onTime: onTime, late: late, lateMicros: 40_000) }
        let latency = HDRHistogramFixture(onTime: 150, late: 0, lateMicros: 0).histogram
        #expect(judge.verdict(stream: "query", lag: lag(onTime: 148, late: 2).histogram, latency: latency) == nil, "2 of 150: p99 is the 2nd worst, no evidence")
        #expect(judge.verdict(stream: "query", lag: lag(onTime: 140, late: 10).histogram, latency: latency) != nil, "10 of 150 late")
        let absolute = ScheduleLagJudge(rule: .absolute, limitMicros: 25_000)
        #expect(absolute.verdict(stream: "query", lag: lag(onTime: 148, late: 2).histogram, latency: latency) != nil, "the old rule flags p99")
        // Relative to what was measured: a 40 ms lag beside a 2 s latency p99 is tolerated.
        let slow = HDRHistogramFixture(onTime: 0, late: 150, lateMicros: 2_000_000).histogram
        #expect(judge.verdict(stream: "query", lag: lag(onTime: 140, late: 10).histogram, latency: slow) == nil)
    }

    @Test func binomialTailMatchesExactValues() {
        // P(X ≥ 8) for n = 10, p = 0.5 is (45 + 10 + 1)/1024; at or below the mean there is no evidence.
        #expect(abs(ScheduleLagJudge.upperTail(n: 10, k: 8, p: 0.5) - 56.0 / 1024) < 1e-12)
        #expect(ScheduleLagJudge.upperTail(n: 10, k: 2, p: 0.5) == 1)
        // P(X ≥ 8) for n = 150, p = 0.01 ≈ 0.00018.
        let tail = ScheduleLagJudge.upperTail(n: 150, k: 8, p: 0.01)
        #expect(tail > 0.0001 && tail < 0.0003, "\(tail)")
    }

    @Test func theTargetIsLostOnlyAfterAWindowOfNothingButFailures() {
        let health = TargetHealth(window: 2, runStart: 0)
        #expect(health.failed("refused", at: 1_000_000_000) == nil)
        #expect(health.failed("refused", at: 2_000_000_000) == nil)
        health.answered()
        #expect(health.failed("refused", at: 3_000_000_000) == nil, "an answer restarts the window")
        #expect(health.failed("refused", at: 4_000_000_000) == nil)
        #expect(health.failed("refused", at: 5_100_000_000) == .targetLost(sinceSeconds: 3, reason: "refused"))
    }
}

/// A histogram of `onTime` samples of 100 µs and `late` samples of `lateMicros`.
struct HDRHistogramFixture {
    var histogram = HDRHistogram()

    init(onTime: Int, late: Int, lateMicros: UInt64) {
        for _ in 0..<onTime { histogram.record(100) }
        for _ in 0..<late { histogram.record(lateMicros) }
    }
}
