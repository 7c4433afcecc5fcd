import Foundation
import StarlingNet
import StarlingSim
import Synchronization
import Testing
@testable import StarlingRun

/// A plan against an in-process fake target, with short backoffs so retries finish quickly.
func fakePlan(_ target: FakeTarget, rate: Double, duration: Double, batch: Int = 40, wait: Bool = true, output: String) throws -> RunPlan {
    let json = """
    {"format": 1, "seed": 11, "datasources": {"ecommerce_events": {}, "store_visits": {"visits_per_hour": 5000}}}
    """
    let scenario = try Scenario(json: Data(json.utf8), source: "fake.json")
    var plan = RunPlan(scenario: scenario, target: target.url, token: "test-token", outputDirectory: output)
    plan.duration = duration
    plan.ingest.rate = .constant(rate)
    plan.ingest.batchMaxEvents = batch
    plan.ingest.batchMaxLinger = 0.02
    plan.ingest.wait = wait
    plan.ingest.retryMaxAttempts = 3
    plan.ingest.retryInitialBackoff = 0.005
    plan.ingest.retryMaxBackoff = 0.02
    plan.drainTimeout = 20
    plan.maxScheduleLagMicros = 10_000_000
    return plan
}

/// Collects the NDJSON lines of every event the engine sent.
final class SentLines: Sendable {
    let lines = Mutex<[String]>([])
    func add(_ event: GeneratedEvent) {
        var encoder = NDJSONEncoder(capacity: 256)
        event.encode(into: &encoder, timestamp: nil)
        let line = String(decoding: encoder.bytes.dropLast(), as: UTF8.self)
        lines.withLock { $0.append(line) }
    }
}

func deadLetterLines(_ directory: URL) -> [String] {
    guard let text = try? String(contentsOf: directory.appendingPathComponent("deadletter.ndjson"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init)
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineTests {
    @Test func everyEventIsAccountedForUnderAFaultMix() throws {
        let behavior = FakeTargetBehavior(
            responses: .weighted([(.ok, 0.55), (.status(429), 0.1), (.status(503), 0.1), (.status(500), 0.1), (.drop, 0.1), (.status(400), 0.05)], seed: 7),
            stall: .init(every: .milliseconds(700), for: .milliseconds(150), firstAfter: .milliseconds(300)),
            keepsEventBodies: true)
        let target = try FakeTarget(behavior: behavior)
        defer { target.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sent = SentLines()
        let outcome = RunEngine.run(try fakePlan(target, rate: 3000, duration: 3, output: dir.path)) { _, event in sent.add(event) }
        let ledger = outcome.summary.ingest.ledger
        let all = sent.lines.withLock { $0 }

        #expect(ledger.generated == all.count)
        #expect(ledger.generated > 8000)
        #expect(ledger.balanced, "\(ledger)")
        #expect(ledger.failed > 0 && ledger.rejected > 0 && ledger.acknowledged > 0, "the mix exercised every bucket: \(ledger)")
        let acknowledged = target.acknowledgedEventLines()
        #expect(acknowledged.count == ledger.acknowledged)
        let dead = deadLetterLines(dir)
        #expect(dead.count == ledger.undelivered)
        #expect((acknowledged + dead).sorted() == all.sorted(), "dead letter holds exactly the events not acknowledged")
        #expect(outcome.summary.ingest.errors.keys.contains("connection"))
    }

    @Test func stoppingMidRunStillBalancesTheLedger() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(latency: .fixed(.milliseconds(30)), keepsEventBodies: true))
        defer { target.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var plan = try fakePlan(target, rate: 4000, duration: 10, batch: 20, output: dir.path)
        plan.ingest.maxInFlight = 1  // the queue backs up, so a stop leaves batches unsent
        let stop = StopFlag()
        let sent = SentLines()
        let stopper = Thread {
            usleep(800_000)
            stop.stop("test stop")
        }
        stopper.start()
        let outcome = RunEngine.run(plan, stop: stop) { _, event in sent.add(event) }
        let ledger = outcome.summary.ingest.ledger
        #expect(outcome.summary.stoppedEarly == "test stop")
        #expect(outcome.summary.elapsedSeconds < 5)
        #expect(ledger.notSent > 0)
        #expect(ledger.balanced, "\(ledger)")
        let dead = deadLetterLines(dir)
        #expect((target.acknowledgedEventLines() + dead).sorted() == sent.lines.withLock { $0 }.sorted())
    }

    @Test func tooLargeBatchesAreSplitAndBadRequestsNotRetried() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .sequence([.status(413), .ok, .ok, .status(400)], then: .ok), keepsEventBodies: true))
        defer { target.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var plan = try fakePlan(target, rate: 200, duration: 1, batch: 10, output: dir.path)
        plan.ingest.maxInFlight = 1
        let outcome = RunEngine.run(plan)
        let ledger = outcome.summary.ingest.ledger
        #expect(ledger.balanced)
        #expect(ledger.rejected > 0 && ledger.rejected <= 10, "one half-batch refused with 400: \(ledger)")
        #expect(ledger.failed == 0)
        #expect(target.stats.requests == outcome.summary.ingest.requests)
    }

    @Test func resultsFolderHasEveryFile() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior())
        defer { target.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var plan = try fakePlan(target, rate: 2000, duration: 2, output: dir.path)
        plan.logInterval = 0.5
        plan.queries = try Scenario(json: Data(#"{"format":1,"datasources":{"store_visits":{}},"run":{"queries":[{"pipe":"top_products","rate":50}]}}"#.utf8), source: "q").run.queries
        let outcome = RunEngine.run(plan)
        #expect(outcome.summary.valid, "\(outcome.summary.invalidReasons)")
        #expect(outcome.summary.ingest.ledger.acknowledged == outcome.summary.ingest.ledger.generated)
        #expect(outcome.summary.queries["top_products"]?.serverRowsRead == 1)
        let log = try String(contentsOf: dir.appendingPathComponent("intervals.hlog"), encoding: .utf8)
        #expect(log.contains("Tag=ingest,") && log.contains("Tag=query.top_products,"))
        #expect(outcome.timelines["ingest"].map { !$0.isEmpty } == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("deadletter.ndjson").path))
    }
}
