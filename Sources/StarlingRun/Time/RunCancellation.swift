import Dispatch
import Glibc
import Synchronization

/// Why a run stopped, as `summary.json` and the exit code know it: one value per `StopReason` case,
/// matched by the readers of a summary (the verdict, replay's exit code, the console line, merge) as
/// this type rather than as strings.
public enum StopCode: String, Codable, Sendable {
    case plannedEnd = "planned_end"
    case overCapacity = "over_capacity"
    case interrupted
    case targetLost = "target_lost"
    case tokenRefused = "token_refused"
    case notFound = "not_found"

    /// The target could not be used (lost, token refused, something missing): the run was aborted.
    public var aborts: Bool { self == .targetLost || self == .tokenRefused || self == .notFound }
}

/// Why a run's load phase ended. The first reason recorded wins; it decides the verdict and the
/// exit code (see `Verdict`).
public enum StopReason: Sendable, Equatable {
    /// The schedule ran to its planned end.
    case plannedEnd
    /// The offered rate could not be kept: the schedule was abandoned at its planned end with this
    /// many seconds of it not generated. `side` says who fell behind.
    case overCapacity(side: CapacitySide, unscheduledSeconds: Double)
    /// SIGINT or SIGTERM.
    case interrupted(signal: String)
    /// Every request failed below HTTP since `sinceSeconds` into the run.
    case targetLost(sinceSeconds: Double, reason: String)
    /// The target answered 401 or 403.
    case tokenRefused(status: Int, request: String)
    /// A pipe or datasource the run needs does not exist on the target (404).
    case notFound(String)

    /// A short machine-readable name (`summary.json`'s `stop.reason`).
    public var code: StopCode {
        switch self {
        case .plannedEnd: return .plannedEnd
        case .overCapacity: return .overCapacity
        case .interrupted: return .interrupted
        case .targetLost: return .targetLost
        case .tokenRefused: return .tokenRefused
        case .notFound: return .notFound
        }
    }

    /// Whether queued requests are still worth sending after this stop.
    public var drainsQueue: Bool {
        switch self {
        case .plannedEnd, .overCapacity: return true
        case .interrupted, .targetLost, .tokenRefused, .notFound: return false
        }
    }
}

/// An error whose exit status is not the CLI's usual 1 for bad input.
public protocol ExitStatusError: Error, CustomStringConvertible {
    var exitStatus: Int32 { get }
}

/// SIGINT or SIGTERM before the load began (the target starting, the preflight): nothing was sent,
/// exit 4 like any interrupted run, with one line saying when.
public struct InterruptedBeforeLoad: ExitStatusError, Equatable {
    public var signal: String
    /// What was going on (`starting the local target`, `the preflight`…).
    public var during: String

    public init(signal: String, during: String) {
        self.signal = signal
        self.during = during
    }

    public var exitStatus: Int32 { 4 }
    public var description: String { "interrupted by \(signal) during \(during): nothing was sent" }

    /// Throws when `cancellation` holds an interrupt.
    public static func check(_ cancellation: RunCancellation, during: String) throws(InterruptedBeforeLoad) {
        if case let .interrupted(signal)? = cancellation.reason { throw InterruptedBeforeLoad(signal: signal, during: during) }
    }
}

/// Which side could not keep the offered rate.
public enum CapacitySide: String, Sendable, Equatable, Codable {
    /// Starling itself: events were not generated or paced in time (the client's CPU).
    case generator
    /// The target: every in-flight request was busy, so batches waited for a free one.
    case target
}

/// The run's one cancellation value, carrying why the load ended. An abrupt stop (interrupted,
/// target lost, token refused, unknown pipe) cancels: every loop checks it and every sleep
/// registered with it wakes. A normal end (planned end, over capacity) is only recorded, and gives
/// way to a later abrupt stop — a SIGINT during settle still interrupts the run.
public final class RunCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private let state = Mutex<(reason: StopReason?, sleepers: [ObjectIdentifier: (Wakeup, any RunClock)])>((nil, [:]))

    public init() {}

    /// Whether an abrupt stop was requested.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// How the load ended (nil while it runs).
    public var reason: StopReason? { state.withLock { $0.reason } }

    /// Records an abrupt stop unless one was recorded before, and wakes every registered sleeper.
    /// Returns whether this call set it.
    @discardableResult
    public func cancel(_ reason: StopReason) -> Bool {
        let (first, sleepers) = state.withLock { s -> (Bool, [(Wakeup, any RunClock)]) in
            if let current = s.reason, !current.drainsQueue { return (false, []) }
            s.reason = reason
            return (true, Array(s.sleepers.values))
        }
        guard first else { return false }
        flag.store(true, ordering: .releasing)
        for (wakeup, clock) in sleepers { clock.unpark(wakeup) }
        return true
    }

    /// Records a normal end of the load (`.plannedEnd` or `.overCapacity`) unless a reason is known.
    public func finishLoad(_ reason: StopReason) {
        state.withLock { s in if s.reason == nil { s.reason = reason } }
    }

    /// Registers `wakeup` to be unparked on cancellation; false when already cancelled.
    func register(_ wakeup: Wakeup, clock: any RunClock) -> Bool {
        state.withLock { s in
            if let reason = s.reason, !reason.drainsQueue { return false }
            s.sleepers[ObjectIdentifier(wakeup)] = (wakeup, clock)
            return true
        }
    }

    func unregister(_ wakeup: Wakeup) {
        _ = state.withLock { $0.sleepers.removeValue(forKey: ObjectIdentifier(wakeup)) }
    }

    /// Cancels with `.interrupted` on SIGINT or SIGTERM for as long as the returned sources live.
    public func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { @Sendable [self] in
                self.cancel(.interrupted(signal: number == SIGINT ? "SIGINT" : "SIGTERM"))
            }
            source.resume()
            return source
        }
    }
}
