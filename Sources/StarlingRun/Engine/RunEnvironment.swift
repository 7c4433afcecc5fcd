import StarlingSim
import Synchronization

/// What a run runs on, apart from its plan: the clock, the way to the target, the cancellation
/// that carries why the load ended, where notices go as they happen, and the results folder's
/// streaming outputs.
public struct RunEnvironment: Sendable {
    public var clock: any RunClock
    public var transport: any TargetTransport
    public var cancellation: RunCancellation
    /// One line for the user, at once (target lost, token refused…); the CLI prints it.
    public var notice: @Sendable (String) -> Void
    /// Where `deadletter/` and `intervals.hlog` are written (nil: not written, for benchmarks).
    public var folder: ResultsFolder?
    public var warnings: RunWarnings
    /// Serves the run's live state to `--metrics-listen` (nil: nobody asks).
    public var liveMetrics: LiveMetrics?
    /// Shows the progress line, once a second while the load runs (nil: clear it, the load ended);
    /// nil: no progress. The engine writes nowhere itself: the CLI shows it on a terminal.
    public var progress: (@Sendable (String?) -> Void)?

    public init(transport: any TargetTransport, clock: any RunClock = SystemClock(), cancellation: RunCancellation = RunCancellation(),
                folder: ResultsFolder? = nil, notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.clock = clock
        self.transport = transport
        self.cancellation = cancellation
        self.notice = notice
        self.folder = folder
        warnings = RunWarnings()
    }
}

/// The collaborators every thread of one run shares.
final class RunContext: Sendable {
    let plan: RunPlan
    let clock: any RunClock
    let transport: any TargetTransport
    let cancellation: RunCancellation
    let notice: @Sendable (String) -> Void
    let progress: (@Sendable (String?) -> Void)?
    let warnings: RunWarnings
    let ledger = IngestLedger()
    let deadLetter: DeadLetter
    let shared = SharedRecorder()
    /// Sampled values of the events sent, for the query parameters.
    let values: ValueTimeline
    let health: TargetHealth
    let start: UInt64
    let startWall: Int64
    /// Seconds the engine started after `plan.startAt` (0: on time, or no `--start-at`).
    let lateStartSeconds: Double
    /// When the schedule ends: the generator stops there even if it is behind.
    let plannedEnd: UInt64
    /// Queued and retrying requests are given up after this instant (moved earlier by an abrupt stop).
    private let drainDeadlineNanos: Atomic<UInt64>

    /// Between the engine's start and the schedule's: the generator's head start.
    static let primingNanos: UInt64 = 100_000_000

    init(plan: RunPlan, environment: RunEnvironment) {
        self.plan = plan
        clock = environment.clock
        transport = environment.transport
        cancellation = environment.cancellation
        notice = environment.notice
        progress = environment.progress
        warnings = environment.warnings
        deadLetter = DeadLetter(directory: environment.folder.map { $0.path + "/" + DeadLetter.folderName })
        let sampled = plan.queries.flatMap { $0.parameters.compactMap(\.sampler.seenColumn) }
        values = ValueTimeline(columns: Array(Set(sampled)).sorted(),
                               expectedEvents: plan.ingest.rate.expectedEvents(from: 0, to: plan.duration, duration: plan.duration))
        // The schedule starts a moment after the threads are up, so the generator can build its
        // look-ahead first (otherwise the first batches of a high rate start late).
        let now = environment.clock.now()
        if let startAt = plan.startAt {
            // Every shard anchors its schedule at the same instant; one that gets here late starts
            // behind it (its events are late, measured from their intended times) and says so.
            let ahead = startAt - environment.clock.wallNow()
            start = ahead >= 0 ? now + UInt64(ahead) : now - min(now, UInt64(-ahead))
            startWall = startAt
            lateStartSeconds = ahead < 0 ? Double(-ahead) / 1e9 : 0
        } else {
            start = now + RunContext.primingNanos
            startWall = environment.clock.wallNow() + Int64(RunContext.primingNanos)
            lateStartSeconds = 0
        }
        plannedEnd = start + UInt64(plan.duration * 1e9)
        drainDeadlineNanos = Atomic(plannedEnd + UInt64(plan.drainTimeout * 1e9))
        health = TargetHealth(window: plan.targetLostAfter, runStart: start)
    }

    var drainDeadline: UInt64 { drainDeadlineNanos.load(ordering: .relaxed) }

    /// After an abrupt stop nothing new is sent; what is in flight gets at most `drainTimeout`.
    func shortenDrain(from now: UInt64) {
        let bound = now + UInt64(plan.drainTimeout * 1e9)
        var current = drainDeadlineNanos.load(ordering: .relaxed)
        while bound < current {
            let (exchanged, original) = drainDeadlineNanos.compareExchange(expected: current, desired: bound, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    /// The whole second of the schedule at `nanos` (0 before the schedule starts).
    func second(at nanos: UInt64) -> Int64 { Int64(elapsed(nanos)) }

    /// Seconds of the schedule at `nanos` (0 before it starts).
    func elapsed(_ nanos: UInt64) -> Double { nanos > start ? Double(nanos - start) / 1e9 : 0 }

    /// Cancels with an abrupt reason and tells the user once.
    func stop(_ reason: StopReason, notice message: String) {
        if cancellation.cancel(reason) {
            shortenDrain(from: clock.now())
            notice(message)
        }
    }
}
