import StarlingMetrics
import StarlingNet
import StarlingSim
import Synchronization

/// `starling run`'s load phase: the ingest schedule on the calling thread, ingest and query workers
/// on their own threads, a monitor for progress and the interval log; then the drain, and the
/// results. Open loop throughout: every latency is measured from the intended send time.
///
/// Time is bounded: the generator stops at the planned end even when it is behind (the rest of the
/// schedule is abandoned and reported), queued and retrying requests are given up at the drain
/// deadline (planned end + `drain_timeout`, or an abrupt stop + `drain_timeout`), and no request
/// outlives that deadline by more than one read. Memory is bounded: the generator runs at most
/// `IngestPacer.ahead` batches ahead, and the workers' queue holds at most `max_in_flight` batches.
public enum RunEngine {
    /// Runs `plan`.
    public static func run(_ plan: RunPlan, environment: RunEnvironment) -> RunOutcome {
        // The models (populations, alias tables: seconds for a large population) are built before
        // the clock starts, so the schedule's first seconds are not late for it.
        var sequence = EventSequence(plan: plan, startWallSeconds: 0)
        let context = RunContext(plan: plan, environment: environment)
        sequence.startWallSeconds = context.startWall / 1_000_000_000
        environment.liveMetrics?.attach(context)
        let clock = context.clock
        let settings = IngestSettings(gzip: plan.ingest.gzip, wait: plan.ingest.wait,
                                      retry: RetryPolicy(maxAttempts: plan.ingest.retryMaxAttempts,
                                                         initialBackoff: .nanoseconds(Int64(plan.ingest.retryInitialBackoff * 1e9)),
                                                         maxBackoff: .nanoseconds(Int64(plan.ingest.retryMaxBackoff * 1e9))))
        let collected = Mutex(Collected())
        let workers = ThreadGroup(clock: clock)
        let ingestQueue = WorkQueue<IngestBatch>(capacity: plan.ingest.maxInFlight, clock: clock)
        let queryConcurrency = queryConcurrency(plan)
        let queryQueue = WorkQueue<QueryJob>(capacity: max(queryConcurrency * 4, 16), clock: clock)

        for _ in 0..<plan.ingest.maxInFlight {
            workers.spawn {
                var worker = IngestWorker(context: context, config: settings)
                let recorder = worker.run(ingestQueue)
                let (requests, resends) = (worker.requests, worker.resends)
                collected.withLock { c in
                    c.ingest.append(recorder)
                    c.requests += requests
                    c.resends.merge(resends, uniquingKeysWith: +)
                }
            }
        }
        for _ in 0..<queryConcurrency {
            workers.spawn {
                var worker = QueryWorker(context: context)
                let (recorders, server) = worker.run(queryQueue)
                let skipped = worker.skipped
                collected.withLock { c in
                    c.queries.append(recorders)
                    c.skippedQueries += skipped
                    for (pipe, stats) in server { c.server[pipe, default: ServerStatistics()].add(stats) }
                }
            }
        }
        let dispatchers = ThreadGroup(clock: clock)
        if !plan.queries.isEmpty {
            dispatchers.spawn {
                var dispatcher = QueryDispatcher(context: context, queue: queryQueue, ingestQueue: ingestQueue)
                let lag = dispatcher.run()
                let wait = dispatcher.inFlightWait
                collected.withLock { c in
                    c.queryLag = lag
                    c.queryInFlightWait = wait
                }
                queryQueue.close()
            }
        }
        let pacer = IngestPacer(context: context, workers: ingestQueue)
        dispatchers.spawn {
            let lag = pacer.run()
            collected.withLock { $0.ingestLag = lag }
        }
        let monitor = RunMonitor(context: context, folder: environment.folder)
        let monitorDone = RunCancellation()
        let monitorGroup = ThreadGroup(clock: clock)
        monitorGroup.spawn { monitor.run(until: monitorDone) }

        // Load: the schedule, until it ends, the planned end passes, or an abrupt stop.
        var generator = IngestGenerator(context: context, pacer: pacer, sequence: sequence)
        generator.run()
        if let abandoned = generator.report.abandonedAt {
            let waited = Double(pacer.slotWait(at: clock.now())) / 1e9
            let side: CapacitySide = waited >= 0.25 * plan.duration ? .target : .generator
            context.cancellation.finishLoad(.overCapacity(side: side, unscheduledSeconds: max(0, plan.duration - abandoned)))
        } else {
            context.cancellation.finishLoad(.plannedEnd)
        }
        // The pacer hands out what the generator queued (until the drain deadline); the dispatcher
        // stops at the planned end.
        dispatchers.wait()
        let loadEnd = clock.now()

        // Drain: queued and in-flight requests finish, up to the drain deadline; then whatever is
        // left is given up (workers check the deadline, and requests carry it as their timeout).
        workers.wait(until: context.drainDeadline)
        workers.wait()
        for batch in ingestQueue.drain() {
            context.notSent(batch, cause: "drain_timeout")
        }
        let end = clock.now()
        monitorDone.cancel(.plannedEnd)
        monitorGroup.wait()
        monitor.finishLog()
        context.deadLetter.close()
        if let error = context.deadLetter.error {
            let lost = context.deadLetter.unwrittenLines
            context.warnings.add("the dead letter is incomplete: \(lost) events could not be written to it, so replay cannot resend them (the ledger still counts every event; the batches written are whole)", detail: error)
        }

        var result = collected.withLock { $0 }
        result.ingestInFlightWait = pacer.inFlightWait.load(ordering: .relaxed)
        return RunOutcome.assemble(context: context, collected: result, generator: generator.report,
                                   loadSeconds: context.elapsed(loadEnd), drainSeconds: Double(end - loadEnd) / 1e9)
    }

    static func queryConcurrency(_ plan: RunPlan) -> Int {
        plan.queries.isEmpty ? 0 : plan.queryConcurrency ?? min(64, Int(plan.queries.map(\.rate).reduce(0, +) / 2000) + 8)
    }

    /// What the threads hand back when they finish.
    struct Collected: Sendable {
        var ingest: [LocalRecorder] = []
        var queries: [[String: LocalRecorder]] = []
        var server: [String: ServerStatistics] = [:]
        var requests = 0
        var resends: [String: Int] = [:]
        var skippedQueries = 0
        var ingestLag = LocalRecorder(stream: "schedule_lag.ingest")
        var queryLag = LocalRecorder(stream: "schedule_lag.query")
        var ingestInFlightWait: UInt64 = 0
        var queryInFlightWait: UInt64 = 0
    }
}
