import Foundation
import StarlingDisk
import StarlingNet
import StarlingSim
import Synchronization
import Testing
@testable import StarlingRun

/// A plan with short backoffs so retries finish quickly (two datasources, so the dead letter has two).
func enginePlan(rate: Double, duration: Double, batch: Int = 40, wait: Bool = true) throws -> RunPlan {
    let json = """
    {"format": 1, "seed": 11, "datasources": {"ecommerce_events": {}, "store_visits": {"visits_per_hour": 5000}}}
    """
    let scenario = try Scenario(json: Data(json.utf8), source: "engine.json")
    var plan = RunPlan(scenario: scenario, token: "test-token")
    plan.duration = duration
    plan.ingest.rate = .constant(rate)
    plan.ingest.batchMaxEvents = batch
    plan.ingest.batchMaxLinger = 0.02
    plan.ingest.wait = wait
    plan.ingest.retryMaxAttempts = 3
    plan.ingest.retryInitialBackoff = 0.005
    plan.ingest.retryMaxBackoff = 0.02
    plan.drainTimeout = 20
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
    var all: [String] { lines.withLock { $0 } }
}

/// Every line of a results folder's dead letter, all datasources.
func deadLetterLines(_ directory: URL) -> [String] {
    let folder = directory.appendingPathComponent(DeadLetter.folderName)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0 != DeadLetter.indexName }.flatMap { name in
        ((try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

/// One engine run in virtual time against a `SimulatedTarget`: the results folder, the target and
/// the outcome. `prepare` may schedule things on the clock (a cancellation, say) before it starts.
struct VirtualRun {
    let clock = VirtualClock()
    let target: SimulatedTarget
    let folder: ResultsFolder
    let directory: URL
    let cancellation = RunCancellation()
    let sent = SentLines()

    init(_ options: SimulatedTarget.Options = SimulatedTarget.Options()) throws {
        target = SimulatedTarget(clock: clock, options: options)
        directory = try temporaryDirectory()
        folder = try ResultsFolder.prepare(directory.path)
    }

    var environment: RunEnvironment {
        RunEnvironment(transport: target, clock: clock, cancellation: cancellation, folder: folder)
    }

    /// Runs `plan`; `sent` gets the events the run sent, produced again from the seed (so every
    /// comparison with it also checks that the checks see exactly what was sent).
    func run(_ plan: RunPlan) -> RunOutcome {
        let outcome = RunEngine.run(plan, environment: environment)
        outcome.sent?.forEachSent { _, event in sent.add(event) }
        return outcome
    }

    /// Cancels with `reason` once the virtual clock reaches `seconds` after now.
    func cancel(_ reason: StopReason, after seconds: Double) {
        let at = clock.now() + UInt64(seconds * 1e9)
        clock.spawn { [clock, cancellation] in
            clock.sleep(until: at, unless: cancellation)
            cancellation.cancel(reason)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct EngineTests {
    @Test func everyEventIsAccountedForUnderAFaultMix() throws {
        var options = SimulatedTarget.Options(behavior: FakeTargetBehavior(
            responses: .weighted([(.ok, 0.55), (.status(429), 0.1), (.status(503), 0.1), (.status(500), 0.1), (.drop, 0.1), (.status(400), 0.05)], seed: 7),
            stall: .init(every: .milliseconds(700), for: .milliseconds(150), firstAfter: .milliseconds(300)),
            keepsEventBodies: true))
        options.dropAfterProcessing = false
        let run = try VirtualRun(options)
        defer { run.remove() }
        let outcome = run.run(try enginePlan(rate: 3000, duration: 3))
        let ledger = outcome.summary.ingest.ledger
        let all = run.sent.all

        #expect(ledger.generated == all.count)
        #expect(ledger.generated > 8000)
        #expect(ledger.balanced, "\(ledger)")
        #expect(ledger.failed > 0 && ledger.rejected > 0 && ledger.acknowledged > 0, "the mix exercised every bucket: \(ledger)")
        let acknowledged = run.target.acknowledgedLines()
        #expect(acknowledged.count == ledger.acknowledged)
        let dead = deadLetterLines(run.directory)
        #expect(dead.count == ledger.undelivered)
        #expect((acknowledged + dead).sorted() == all.sorted(), "dead letter holds exactly the events not acknowledged")
        #expect(outcome.summary.ingest.errors.keys.contains("connection"))
        #expect((outcome.summary.ingest.resends?["503"] ?? 0) > 0, "resends are counted by cause: \(outcome.summary.ingest.resends ?? [:])")
        #expect(outcome.summary.verdict != .aborted, "HTTP errors and drops are answers, not a lost target")
    }

    /// A 2xx answer that does not say where each row went (not JSON, `{}`, counts of zero, negative
    /// or more rows than sent) acknowledges nothing: its batches count as failed, possibly landed,
    /// are in the dead letter for replay, and the run warns once.
    @Test(arguments: ["not json", "{}", #"{"successful_rows":0,"quarantined_rows":0}"#, #"{"successful_rows":-5}"#, "more"])
    func anAnswerThatDoesNotAccountForItsRowsAcknowledgesNothing(answer: String) throws {
        var options = SimulatedTarget.Options()
        options.eventsAnswer = { lines in answer == "more" ? "{\"successful_rows\":\(lines + 3)}" : answer }
        let run = try VirtualRun(options)
        defer { run.remove() }
        let outcome = run.run(try enginePlan(rate: 500, duration: 1))
        let ledger = outcome.summary.ingest.ledger
        #expect(ledger.generated > 100 && ledger.balanced, "\(ledger)")
        #expect(ledger.acknowledged == 0 && ledger.failed == ledger.generated, "\(answer): \(ledger)")
        #expect(deadLetterLines(run.directory).count == ledger.generated)
        let index = try DeadLetterReplay.index(of: run.folder)
        #expect(index.allSatisfy { $0.cause == "unconfirmed" && $0.possiblyLanded && $0.bucket == "failed" })
        #expect(outcome.summary.warnings?.contains { $0.contains("did not say where the rows went") } == true, "\(outcome.summary.warnings ?? [])")
    }

    @Test func theDeadLetterIsOneFilePerDatasourceWithABatchIndex() throws {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(responses: .weighted([(.ok, 0.7), (.status(400), 0.3)], seed: 3))))
        defer { run.remove() }
        let outcome = run.run(try enginePlan(rate: 2000, duration: 2))
        let index = try DeadLetterReplay.index(of: run.folder)
        #expect(Set(index.map(\.datasource)) == ["ecommerce_events", "store_visits"])
        #expect(index.map(\.lines).reduce(0, +) == outcome.summary.ingest.ledger.rejected)
        #expect(index.allSatisfy { $0.bucket == "rejected" && $0.cause == "400" && !$0.possiblyLanded })
        for datasource in ["ecommerce_events", "store_visits"] {
            let text = try String(contentsOfFile: run.folder.deadLetterPath + "/\(datasource).ndjson", encoding: .utf8)
            let key = datasource == "store_visits" ? "\"visit_id\"" : "\"event_type\""
            #expect(text.split(separator: "\n").allSatisfy { $0.contains(key) }, "only \(datasource) lines in its file")
            #expect(text.split(separator: "\n").count == index.filter { $0.datasource == datasource }.map(\.lines).reduce(0, +))
        }
        #expect(outcome.summary.ingest.deadLetterFile == "deadletter/")
    }

    /// A 10 s run (2 requests in flight, drain 5 s) against a target answering after `latency`:
    /// it must end by planned end + grace + drain, stopped as over capacity on the target's side.
    func overCapacityRun(latency: Duration, rate: Double) throws -> RunSummary {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(latency: .fixed(latency))))
        defer { run.remove() }
        var plan = try enginePlan(rate: rate, duration: 10)
        plan.ingest.maxInFlight = 2
        plan.drainTimeout = 5
        let start = run.clock.now()
        let summary = run.run(plan).summary
        let elapsed = Double(run.clock.now() - start) / 1e9
        #expect(elapsed <= 10 + 0.25 + 5 + 0.2, "planned end + grace + drain bound: \(elapsed) s")
        #expect(summary.stop?.reason == .overCapacity)
        #expect(summary.stop?.side == "target", "\(summary.stop?.message ?? "")")
        return summary
    }

    @Test func aTargetSlowerThanTheOfferedRateEndsTheRunOnTimeAsOverCapacity() throws {
        // 2 requests in flight, 100 ms each, batches of 40: at most 800 events/s, 20,000/s offered.
        let summary = try overCapacityRun(latency: .milliseconds(100), rate: 20_000)
        #expect(!summary.valid)
        #expect(summary.verdict == .invalid && summary.verdict.exitCode == 3)
        #expect(summary.invalidReasons.contains { $0.contains("the target could not take the offered rate") })
        #expect(summary.ingest.ledger.balanced)
        #expect((summary.ingest.notGeneratedEstimate ?? 0) > 100_000, "the abandoned schedule is counted: \(summary.ingest.notGeneratedEstimate ?? 0)")
        #expect(summary.ingest.achievedEventsPerSecond < 1000)
        #expect(summary.scheduleLag["ingest"].map { $0.p99 < 1 } == true, "waiting for a free slot is not schedule lag: \(summary.scheduleLag["ingest"]?.p99 ?? -1)")
    }

    /// Finding 16 of issue 26: a target that holds every request (a server trickling its answer)
    /// kept the pacer in one wait for a slot that never ended, and a wait was only counted when it
    /// ended: the run blamed Starling ("could not generate the offered rate").
    @Test func aTargetThatNeverAnswersIsBlamedNotTheGenerator() throws {
        let summary = try overCapacityRun(latency: .seconds(3600), rate: 2_000)
        #expect(summary.invalidReasons.contains { $0.contains("the target could not take the offered rate") }, "\(summary.invalidReasons)")
        #expect(!summary.invalidReasons.contains { $0.contains("Starling could not generate") })
        #expect(summary.ingest.ledger.balanced && summary.ingest.ledger.acknowledged == 0)
    }

    @Test func anInterruptedRunSaysSoAndCountsWhatWasNotSent() throws {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(latency: .fixed(.milliseconds(30)), keepsEventBodies: true)))
        defer { run.remove() }
        var plan = try enginePlan(rate: 4000, duration: 10, batch: 20)
        plan.ingest.maxInFlight = 1  // the queue backs up, so a stop leaves batches unsent
        run.cancel(.interrupted(signal: "SIGINT"), after: 2)
        let outcome = run.run(plan)
        let summary = outcome.summary
        let ledger = summary.ingest.ledger
        #expect(summary.verdict == .interrupted && summary.verdict.exitCode == 4)
        #expect(summary.stop?.reason == .interrupted)
        #expect(summary.stop?.message.contains("interrupted by SIGINT") == true)
        #expect(summary.elapsedSeconds < 3)
        #expect(ledger.notSent > 0)
        #expect(ledger.balanced, "\(ledger)")
        #expect((summary.ingest.notGeneratedEstimate ?? 0) > 25_000, "8 s of 4000/s never generated: \(summary.ingest.notGeneratedEstimate ?? 0)")
        #expect(abs(summary.ingest.offeredEventsPerSecond - 4000) < 400, "offered over the time the load lasted: \(summary.ingest.offeredEventsPerSecond)")
        #expect((run.target.acknowledgedLines() + deadLetterLines(run.directory)).sorted() == run.sent.all.sorted())
    }

    @Test func aRefusedTokenStopsTheRunAtOnce() throws {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(responses: .always(.status(403)))))
        defer { run.remove() }
        let notices = Mutex<[String]>([])
        var environment = run.environment
        environment.notice = { message in notices.withLock { $0.append(message) } }
        let outcome = RunEngine.run(try enginePlan(rate: 1000, duration: 20), environment: environment)
        let summary = outcome.summary
        #expect(summary.verdict == .aborted && summary.verdict.exitCode == 1)
        #expect(summary.stop?.reason == .tokenRefused)
        #expect(summary.elapsedSeconds < 1, "not the full 20 s: \(summary.elapsedSeconds)")
        #expect(summary.ingest.ledger.balanced)
        #expect(run.target.requests <= 8, "no request after the refusal but those in flight: \(run.target.requests)")
        let said = notices.withLock { $0 }
        #expect(said.count == 1 && said[0].contains("the token was refused") && said[0].contains("403"), "\(said)")
    }

    @Test func aLostTargetIsNamedWithTheTimeItWasLost() throws {
        let clock = VirtualClock()
        var options = SimulatedTarget.Options()
        options.lostAt = clock.now() + RunContext.primingNanos + 3_000_000_000
        let target = SimulatedTarget(clock: clock, options: options)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notices = Mutex<[String]>([])
        let environment = RunEnvironment(transport: target, clock: clock, folder: try ResultsFolder.prepare(directory.path)) { message in
            notices.withLock { $0.append(message) }
        }
        var plan = try enginePlan(rate: 1000, duration: 20)
        plan.ingest.retryMaxAttempts = 5
        plan.ingest.retryInitialBackoff = 0.2
        plan.ingest.retryMaxBackoff = 3
        let outcome = RunEngine.run(plan, environment: environment)
        let summary = outcome.summary
        #expect(summary.verdict == .aborted)
        #expect(summary.stop?.reason == .targetLost)
        #expect(summary.stop.flatMap(\.atSeconds).map { abs($0 - 3) < 0.2 } == true, "lost at 3 s: \(summary.stop?.atSeconds ?? -1)")
        #expect(summary.elapsedSeconds < 3 + 2 + 1.5, "the 2 s window, then at most a monitor tick, not a 30 s drain: \(summary.elapsedSeconds)")
        #expect(summary.ingest.ledger.balanced)
        #expect(summary.ingest.ledger.undelivered == deadLetterLines(directory).count)
        #expect(notices.withLock { $0 }.contains { $0.contains("became unreachable 3.0 s into the run") }, "\(notices.withLock { $0 })")
    }

    @Test func aResendAfterAProcessedRequestIsCountedAsPossiblyDuplicated() throws {
        var options = SimulatedTarget.Options(behavior: FakeTargetBehavior(responses: .weighted([(.ok, 0.8), (.drop, 0.2)], seed: 5)))
        options.dropAfterProcessing = true
        let run = try VirtualRun(options)
        defer { run.remove() }
        let outcome = run.run(try enginePlan(rate: 2000, duration: 2))
        let ledger = outcome.summary.ingest.ledger
        #expect((ledger.possiblyDuplicated ?? 0) > 0)
        #expect((outcome.summary.ingest.resends?["connection"] ?? 0) > 0)
        let stored = run.target.rows.values.reduce(0, +)
        #expect(stored > ledger.acknowledged, "the target holds the duplicates: \(stored) vs \(ledger.acknowledged)")
        // Every extra row is a resend of a processed request, or a failed batch marked as possibly landed.
        let landedFailures = try DeadLetterReplay.index(of: run.folder).filter(\.possiblyLanded).map(\.lines).reduce(0, +)
        #expect(stored - ledger.acknowledged <= (ledger.possiblyDuplicated ?? 0) + landedFailures)
    }

    @Test func resultsFolderHasEveryStreamedFile() throws {
        let run = try VirtualRun()
        defer { run.remove() }
        var plan = try enginePlan(rate: 2000, duration: 2)
        plan.logInterval = 0.5
        plan.queries = try Scenario(json: Data(#"{"format":1,"datasources":{"store_visits":{}},"run":{"queries":[{"pipe":"top_products","rate":50}]}}"#.utf8), source: "q").run.queries
        let outcome = run.run(plan)
        #expect(outcome.summary.valid, "\(outcome.summary.invalidReasons)")
        #expect(outcome.summary.ingest.ledger.acknowledged == outcome.summary.ingest.ledger.generated)
        #expect(outcome.summary.queries["top_products"]?.serverRowsRead == 1)
        let log = try String(contentsOfFile: run.folder.url(.intervalLog), encoding: .utf8)
        #expect(log.contains("Tag=ingest,") && log.contains("Tag=query.top_products,"))
        #expect(outcome.timelines["ingest"].map { !$0.isEmpty } == true)
        #expect(!FileManager.default.fileExists(atPath: run.folder.deadLetterPath))
        #expect(outcome.summary.phases?.keys.sorted() == ["drain", "load"])
    }

    @Test func tooLargeBatchesAreSplitAndBadRequestsNotRetried() throws {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(responses: .sequence([.status(413), .ok, .ok, .status(400)], then: .ok), keepsEventBodies: true)))
        defer { run.remove() }
        var plan = try enginePlan(rate: 200, duration: 1, batch: 10)
        plan.ingest.maxInFlight = 1
        let outcome = run.run(plan)
        let ledger = outcome.summary.ingest.ledger
        #expect(ledger.balanced)
        #expect(ledger.rejected > 0 && ledger.rejected <= 10, "one half-batch refused with 400: \(ledger)")
        #expect(ledger.failed == 0)
        #expect(run.target.requests == outcome.summary.ingest.requests)
    }
}

/// Query parameters depend on the seed and the query's place in the schedule only, not on how fast
/// threads ran: two real-time runs against the fake target ask exactly the same things.
@Suite(.serialized, .timeLimit(.minutes(3))) struct QueryParameterTests {
    /// One run's pipe requests, in the order the target got them (one query worker), and whether
    /// every query drew its parameters once the generator had reached its time (the run's promise;
    /// a run on a loaded machine may be late, which does not change what it asks).
    func queries(eventTime: String) throws -> (requests: [String], kept: Bool) {
        var behavior = FakeTargetBehavior()
        behavior.keepsPipeRequests = true
        let target = try FakeTarget(behavior: behavior)
        defer { target.stop() }
        let json = """
        {"format": 1, "seed": 4, "datasources": {"store_visits": {"visits_per_hour": 20000}, "customer_touchpoints": {}},
         "run": {"duration": "2s", "event_time": "\(eventTime)", "query_concurrency": 1,
                 "ingest": {"rate": 1500, "batch_max_events": 50},
                 "queries": [{"pipe": "visitor_details", "rate": 40, "parameters": {"visitor_id": "$visitor_id", "limit": ["5", "10"]}},
                             {"pipe": "visits_by_store", "rate": 30, "parameters": {"start_date": "$window_start", "end_date": "$window_end"}},
                             {"pipe": "customer_journey_details", "rate": 20, "parameters": {"customer_id": "$customer_id", "channels": {"value": "$channel[]", "omit_rate": 0.5}}}]}}
        """
        let plan = RunPlan(scenario: try Scenario(json: Data(json.utf8), source: "q.json"), token: "t")
        let transport = SocketTransport(target: target.url)
        defer { transport.close() }
        let summary = RunEngine.run(plan, environment: RunEnvironment(transport: transport)).summary
        let drewEarly = (summary.warnings ?? []).contains { $0.contains("drew their parameters") }
        return (target.pipeRequests(), !drewEarly)
    }

    /// Two runs in which every query waited for the generator (tried up to three times: on a very
    /// loaded machine a query may give up waiting after a second, and then may ask differently). A
    /// run that fell far behind sends its last queries after the planned end, that is not at all, so
    /// the longer sequence is cut to the shorter.
    func twoRuns(eventTime: String) throws -> (first: [String], second: [String])? {
        for _ in 1...3 {
            let (first, second) = (try queries(eventTime: eventTime), try queries(eventTime: eventTime))
            let sent = min(first.requests.count, second.requests.count)
            if first.kept && second.kept { return (Array(first.requests.prefix(sent)), Array(second.requests.prefix(sent))) }
        }
        Issue.record("in three tries, no two runs drew every query's parameters after the generator: the machine is too loaded for this test")
        return nil
    }

    @Test func twoRunsQueryTheSameParameters() throws {
        guard let (first, second) = try twoRuns(eventTime: "simulated") else { return }
        #expect(first.count > 150)
        #expect(first.filter { $0.contains("visitor_id=visitor_") }.count > 50, "ids drawn from the data sent")
        #expect(first.filter { $0.contains("start_date=") }.count > 30)
        // `{"value": "$channel[]", "omit_rate": 0.5}`: left out of some requests, a list of 1–3 sent channels in the others.
        let journeys = first.filter { $0.contains("customer_journey_details") }
        let lists = journeys.compactMap { $0.firstMatch(of: /channels=([^&]*)/).map { String($0.1).replacing("%2C", with: ",") } }
        #expect(lists.count > 3 && lists.count < journeys.count - 3, "\(lists.count) of \(journeys.count) requests name channels")
        #expect(lists.contains { $0.contains(",") } && lists.allSatisfy { $0.split(separator: ",").count <= ParameterSampler.listMax })
        #expect(first == second)
    }

    /// In a live run the event times are the send times, so windows move with the start; the ids
    /// and the windows' places in the run stay the same.
    @Test func liveRunsQueryTheSameIds() throws {
        guard let (first, second) = try twoRuns(eventTime: "live") else { return }
        let ids = { (requests: [String]) in requests.map { $0.replacing(/(start|end)_date=[^&]*/, with: "") } }
        #expect(first.count > 150)
        #expect(ids(first) == ids(second))
    }
}
