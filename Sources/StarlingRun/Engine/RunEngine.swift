import Foundation
import StarlingMetrics
import StarlingNet
import StarlingSim
import Synchronization

/// `starling run`'s load phase: the ingest schedule on the calling thread, ingest and query workers
/// on their own threads, a monitor for progress and the interval log; then the drain, and the
/// results. Open loop throughout: every latency is measured from the intended send time.
public enum RunEngine {
    /// Runs `plan`. `onSent` sees every event sent (on the calling thread), e.g. for the oracles.
    public static func run(_ plan: RunPlan, stop: StopFlag = StopFlag(), onSent: ((String, GeneratedEvent) -> Void)? = nil) -> RunOutcome {
        // Workers own their connections; the pool lends them its options and TLS context.
        let pool = HTTPClientPool(options: plan.httpOptions)
        let ledger = IngestLedger()
        let deadLetter = DeadLetter(path: plan.outputDirectory + "/deadletter.ndjson")
        let shared = SharedRecorder()
        let reservoir = SampleReservoir()
        let abandon = StopFlag()
        let ingestQueue = WorkQueue<IngestBatch>()
        let queryQueue = WorkQueue<QueryJob>()
        let startWall = MonotonicClock.wallNow()
        let start = MonotonicClock.now()
        let settings = IngestSettings(gzip: plan.ingest.gzip, wait: plan.ingest.wait,
                                      retry: RetryPolicy(maxAttempts: plan.ingest.retryMaxAttempts,
                                                         initialBackoff: .nanoseconds(Int64(plan.ingest.retryInitialBackoff * 1e9)),
                                                         maxBackoff: .nanoseconds(Int64(plan.ingest.retryMaxBackoff * 1e9))))
        let results = Mutex<(ingest: [LocalRecorder], queries: [[String: LocalRecorder]], server: [String: ServerStatistics], requests: Int)>(([], [], [:], 0))
        let queryLag = Mutex(LocalRecorder(stream: "schedule_lag.query"))
        let group = DispatchGroup()

        for _ in 0..<plan.ingest.maxInFlight {
            spawn(group) {
                var worker = IngestWorker(pool: pool, target: plan.target, token: plan.token, config: settings, ledger: ledger,
                                          deadLetter: deadLetter, shared: shared, stop: stop, runStart: start,
                                          freshness: plan.freshness)
                let recorder = worker.run(ingestQueue, abandon: abandon)
                let requests = worker.requests
                results.withLock { $0.ingest.append(recorder); $0.requests += requests }
            }
        }
        for _ in 0..<queryConcurrency(plan) {
            spawn(group) {
                var worker = QueryWorker(pool: pool, target: plan.target, token: plan.token, shared: shared, runStart: start)
                let (recorders, server) = worker.run(queryQueue, abandon: abandon)
                results.withLock { r in
                    r.queries.append(recorders)
                    for (pipe, stats) in server { r.server[pipe, default: ServerStatistics()].add(stats) }
                }
            }
        }
        if !plan.queries.isEmpty {
            spawn(group) {
                var dispatcher = QueryDispatcher(plan: plan, queue: queryQueue, reservoir: reservoir, shared: shared, stop: stop, startNanos: start)
                let lag = dispatcher.run()
                queryLag.withLock { $0 = lag }
                queryQueue.close()
            }
        }
        let pacer = IngestPacer(workers: ingestQueue, ledger: ledger, deadLetter: deadLetter, reservoir: reservoir, shared: shared, stop: stop)
        let pacerLag = Mutex(LocalRecorder(stream: "schedule_lag.ingest"))
        let pacerGroup = DispatchGroup()
        spawn(pacerGroup) {
            let lag = pacer.run()
            pacerLag.withLock { $0 = lag }
        }
        let monitor = RunMonitor(plan: plan, shared: shared, ledger: ledger, startNanos: start, startWallNanos: startWall)
        let monitorDone = StopFlag()
        let monitorGroup = DispatchGroup()
        spawn(monitorGroup) { monitor.run(until: monitorDone) }

        var generator = IngestGenerator(plan: plan, pacer: pacer, ledger: ledger, stop: stop, startNanos: start,
                                        startWallSeconds: startWall / 1_000_000_000)
        generator.run(onSent: onSent)
        pacerGroup.wait()  // the pacer closes the workers' queue when it has handed out every batch
        if stop.isSet { abandon.stop("stopped") }
        // Drain: queued and in-flight requests finish, up to the drain timeout.
        if group.wait(timeout: .now() + plan.drainTimeout) == .timedOut {
            abandon.stop("drain timeout")
            stop.stop("drain timed out after \(Int(plan.drainTimeout)) s; queued requests were not sent")
            group.wait()
        }
        for batch in ingestQueue.drain() {
            ledger.record(batch.events, in: .notSent)
            deadLetter.write(batch.body, lines: batch.events)
        }
        let elapsed = Double(MonotonicClock.now() - start) / 1e9
        monitorDone.stop("done")
        monitorGroup.wait()
        monitor.finishLog()
        deadLetter.close()
        pool.closeIdle()

        let collected = results.withLock { $0 }
        return RunOutcome.assemble(plan: plan, ingestLag: pacerLag.withLock { $0 }, queryLag: queryLag.withLock { $0 }, collected: (collected.ingest, collected.queries, collected.server, collected.requests),
                                   shared: shared, ledger: ledger, deadLetter: deadLetter, stop: stop, startWall: startWall, elapsed: elapsed)
    }

    static func queryConcurrency(_ plan: RunPlan) -> Int {
        plan.queries.isEmpty ? 0 : plan.queryConcurrency ?? min(64, Int(plan.queries.map(\.rate).reduce(0, +) / 2000) + 8)
    }

    /// Runs `body` on a new thread with a 1 MiB stack, tracked by `group`.
    static func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
