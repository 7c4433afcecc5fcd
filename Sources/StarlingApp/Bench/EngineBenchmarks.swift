import Foundation
import StarlingDisk
import StarlingMetrics
import StarlingNet
import StarlingProject
import StarlingRun
import StarlingSim
import Synchronization

/// Benchmarks of the load engine itself against an in-process fake target on loopback: how far it
/// can push ingestion and queries while keeping its schedule, how its percentiles compare with the
/// analytic truth of a stalling server (and with a closed-loop measurement of the same server), and
/// whether its memory stays flat over a long run.
public enum EngineBenchmarks {
    static func scenario(_ run: String = "") throws -> Scenario {
        let json = #"{"format": 1, "seed": 3, "datasources": {"ecommerce_events": {}}\#(run)}"#
        return try Scenario(json: Data(json.utf8), source: "bench.json")
    }

    static func plan(_ scenario: Scenario? = nil) throws -> RunPlan {
        var plan = RunPlan(scenario: try scenario ?? Self.scenario(), token: "bench")
        plan.scheduleLagRule = .absolute
        plan.maxScheduleLagMicros = .max
        plan.drainTimeout = 60
        return plan
    }

    /// Runs `plan` against `target`; nothing is written to disk.
    static func run(_ plan: RunPlan, against target: FakeTarget) -> RunOutcome {
        let transport = SocketTransport(target: target.url)
        defer { transport.close() }
        return RunEngine.run(plan, environment: RunEnvironment(transport: transport))
    }

    /// Ingest at `rate` events/s in batches of `batch` events (gzip off unless asked).
    public static func ingest(rate: Double, batch: Int, duration: Double, gzip: Bool, inFlight: Int) throws -> RunOutcome {
        let target = try FakeTarget(behavior: FakeTargetBehavior())
        defer { target.stop() }
        return run(try ingestPlan(try plan(), rate: rate, batch: batch, duration: duration, gzip: gzip, inFlight: inFlight), against: target)
    }

    /// `plan` ingesting at a constant `rate` in batches of `batch` events, evenly spaced.
    static func ingestPlan(_ plan: RunPlan, rate: Double, batch: Int, duration: Double, gzip: Bool, inFlight: Int) throws -> RunPlan {
        var plan = plan
        plan.duration = duration
        plan.ingest.rate = .constant(rate)
        plan.ingest.arrivals = .uniform
        plan.ingest.batchMaxEvents = batch
        plan.ingest.batchMaxBytes = 1 << 30
        plan.ingest.batchMaxLinger = 1
        plan.ingest.gzip = gzip
        plan.ingest.maxInFlight = inFlight
        return plan
    }

    /// What `bench ingest --checks` measured beside the run: the check plan and its expected answers,
    /// computed after the load from the events produced again (as a run's verify phase does).
    public struct CheckWork: Sendable {
        public var combinations: Int
        public var pipes: Int
        public var events: Int
        public var seconds: Double
    }

    /// Ingest with every check on: the three seed datasources at `rate` against the fake target
    /// (valid only with schedule lag p99 ≤ 25 ms), then every pipe's expected answers computed off
    /// the send path from the events sent, timed. The fake target stores nothing, so the answers are
    /// not compared: this measures that the checks cost the schedule nothing, and what they cost after.
    public static func ingestWithChecks(rate: Double, batch: Int, duration: Double, inFlight: Int,
                                        pipes: [String: PipeSpec]) throws -> (RunOutcome, CheckWork) {
        let target = try FakeTarget(behavior: FakeTargetBehavior())
        defer { target.stop() }
        let json = #"{"format": 1, "name": "bench-checks", "seed": 3, "datasources": {"store_visits": {}, "ecommerce_events": {}, "customer_touchpoints": {}}}"#
        var plan = try ingestPlan(try plan(try Scenario(json: Data(json.utf8), source: "bench.json")), rate: rate, batch: batch,
                                  duration: duration, gzip: false, inFlight: inFlight)
        plan.maxScheduleLagMicros = 25_000
        plan.pipes = pipes
        let outcome = run(plan, against: target)
        guard let sent = outcome.sent else { return (outcome, CheckWork(combinations: 0, pipes: 0, events: 0, seconds: 0)) }
        let clock = SystemClock()
        let start = clock.now()
        let expectations = RunSession.expect(plan, sent: sent)
        let seconds = Double(clock.now() - start) / 1e9
        return (outcome, CheckWork(combinations: expectations.oracles.count, pipes: Set(expectations.oracles.map(\.check.pipe)).count,
                                   events: outcome.summary.ingest.ledger.acknowledged, seconds: seconds))
    }

    /// Queries at `rate` per second against a fake pipe that answers at once. `server` receives what
    /// the fake target saw (its stall release lag is the server-side part of a stall's latency).
    public static func queries(rate: Double, duration: Double, concurrency: Int?, stall: FakeTargetBehavior.Stall? = nil,
                               server: ((FakeTargetStats) -> Void)? = nil) throws -> RunOutcome {
        let target = try FakeTarget(behavior: FakeTargetBehavior(stall: stall))
        defer {
            target.stop()
            server?(target.stats)
        }
        var plan = try plan()
        plan.duration = duration
        plan.ingest.rate = .constant(0)
        plan.ingest.arrivals = .uniform
        plan.queries = try scenario(#", "run": {"queries": [{"pipe": "bench", "rate": \#(rate)}]}"#).run.queries
        plan.queryConcurrency = concurrency
        return run(plan, against: target)
    }

    /// The same stalling server measured closed-loop: `connections` clients that each send, wait for
    /// the answer, then pace themselves to their share of `rate`, timing from the actual send — what
    /// most load tools do. Stalls hold only the few requests in flight, so they vanish from the tail.
    public static func closedLoop(rate: Double, duration: Double, connections: Int, stall: FakeTargetBehavior.Stall) throws -> HDRHistogram {
        let target = try FakeTarget(behavior: FakeTargetBehavior(stall: stall))
        defer { target.stop() }
        let pool = HTTPClientPool()
        let merged = Mutex(HDRHistogram())
        let clock = SystemClock()
        let group = ThreadGroup(clock: clock)
        let start = MonotonicClock.now()
        let end = start + UInt64(duration * 1e9)
        let interval = UInt64(Double(connections) / rate * 1e9)
        for _ in 0..<connections {
            group.spawn {
                var histogram = HDRHistogram()
                var next = start
                while MonotonicClock.now() < end {
                    let sent = MonotonicClock.now()
                    _ = try? pool.send(HTTPRequest(method: .get, path: "/v0/pipes/bench.json"), to: target.url)
                    histogram.record(max(1, (MonotonicClock.now() - sent) / 1000))
                    next = max(next + interval, MonotonicClock.now())
                    MonotonicClock.sleep(until: next)
                }
                let result = histogram
                merged.withLock { $0.add(result) }
            }
        }
        group.wait()
        return merged.withLock { $0 }
    }
}

/// The exact latency distribution of a server that stalls (wrk2's model) under uniform arrivals and
/// an infinitely fast client: a request arriving `s` into a stall of length D waits D − s; all
/// others are answered at once. With a fraction f of the run stalled, P(latency > x) = f (1 − x/D).
public struct StallTruth: Sendable {
    public var stallSeconds: Double
    /// Fraction of the run's time inside a stall window.
    public var stalledFraction: Double

    public init(period: Double, stall: Double, firstAfter: Double, duration: Double) {
        stallSeconds = stall
        var stalled = 0.0
        var start = firstAfter
        while start < duration {
            stalled += min(start + stall, duration) - start
            start += period
        }
        stalledFraction = stalled / duration
    }

    /// The percentile's latency in milliseconds (0 where the percentile falls among unstalled requests).
    public func percentile(_ p: Double) -> Double {
        let above = 1 - p / 100
        guard above < stalledFraction else { return 0 }
        return stallSeconds * 1000 * (1 - above / stalledFraction)
    }

    /// Where an open-loop measurement misses this truth, one line each (empty: it matches). p99 and
    /// p99.9 must be within 2 % of their value; p50 and p90, which fall among unstalled requests
    /// (truth ≈ 0), within 20 ms (2 % of the 1 s stall). A measurement may exceed the truth by the
    /// server's own measured drain time after a window (`releaseLagMilliseconds`), never by more.
    /// The closed-loop measurement must miss the stall (its p99 below 100 ms): the contrast.
    public func misses(openLoop: [Double: Double], closedLoopP99: Double, releaseLagMilliseconds: Double) -> [String] {
        var lines: [String] = []
        for p in [50.0, 90, 99, 99.9] {
            let expected = percentile(p)
            guard let measured = openLoop[p] else { lines.append("p\(p): not measured"); continue }
            let tolerance = expected > 0 ? 0.02 * expected : 20
            if measured - expected < -tolerance || measured - expected > tolerance + releaseLagMilliseconds {
                lines.append(String(format: "p%g: measured %.1f ms, truth %.1f ms (tolerance %.1f ms, server drain %.1f ms)",
                                    p, measured, expected, tolerance, releaseLagMilliseconds))
            }
        }
        if closedLoopP99 >= 100 {
            lines.append(String(format: "closed loop p99 %.1f ms: it should hide the stall (< 100 ms)", closedLoopP99))
        }
        return lines
    }
}
