/// The script a `FakeTarget` follows for each request.
public struct FakeTargetBehavior: Sendable {
    /// What the server does with one request.
    public enum Action: Sendable, Equatable {
        /// The endpoint's normal success: 202 (200 with `wait=true`) and `{"successful_rows": N}`
        /// for `/v0/events`, a small FORMAT JSON body for `/v0/pipes/*.json`, `ok` elsewhere.
        case ok
        /// This status with `{"error": "…"}` (a 2xx status gets the success body instead).
        case status(Int)
        /// Close the connection without answering.
        case drop
    }

    /// Which action each request gets, by its 0-based arrival number.
    public enum Responses: Sendable {
        case always(Action)
        /// The actions in order, then `then` for every later request.
        case sequence([Action], then: Action)
        /// Drawn with these weights, deterministically from `seed` and the request number.
        case weighted([(action: Action, weight: Double)], seed: UInt64)
    }

    /// How long to wait before answering.
    public enum Latency: Sendable {
        case none
        case fixed(Duration)
        /// Uniform between the bounds, deterministically from `seed` and the request number.
        case uniform(Duration, Duration, seed: UInt64)
        /// Any distribution: the delay for the request with this 0-based arrival number.
        case custom(@Sendable (_ requestNumber: Int) -> Duration)
    }

    /// The whole server stalls for `duration` every `period` (wrk2's stall model): a request
    /// arriving, or due to be answered, inside a stall window is held until the window ends.
    /// Windows start `firstAfter` (default: one period) after the server starts.
    public struct Stall: Sendable, Equatable {
        public var period: Duration
        public var duration: Duration
        public var firstAfter: Duration

        public init(every period: Duration, for duration: Duration, firstAfter: Duration? = nil) {
            self.period = max(period, .milliseconds(1))
            self.duration = min(duration, self.period)
            self.firstAfter = firstAfter ?? self.period
        }

        /// How long a request at `elapsed` since start must wait for the current window to end.
        public func remainingStall(at elapsed: Duration) -> Duration {
            let offset = elapsed - firstAfter
            guard offset >= .zero else { return .zero }
            let phase = offset.nanoseconds % period.nanoseconds
            let left = duration.nanoseconds - phase
            return left > 0 ? .nanoseconds(left) : .zero
        }
    }

    public var responses: Responses
    public var latency: Latency
    public var stall: Stall?
    /// Seconds sent as `Retry-After` on 429 and 503 answers.
    public var retryAfterSeconds: Int?
    /// Send bodies with `Transfer-Encoding: chunked` (in chunks of up to 1000 bytes) instead of
    /// `Content-Length`.
    public var chunkedBodies: Bool
    /// Rows in each `/v0/pipes/*.json` answer (`{"n": i}` for i in 0..<pipeRows).
    public var pipeRows: Int
    /// Keep the NDJSON of every acknowledged `/v0/events` request (see `FakeTarget.acknowledgedEventLines`).
    public var keepsEventBodies: Bool
    /// Keep the path and query string of every `/v0/pipes/` request (see `FakeTarget.pipeRequests`).
    public var keepsPipeRequests = false

    public init(responses: Responses = .always(.ok), latency: Latency = .none, stall: Stall? = nil,
                retryAfterSeconds: Int? = nil, chunkedBodies: Bool = false, pipeRows: Int = 1, keepsEventBodies: Bool = false) {
        self.keepsEventBodies = keepsEventBodies
        self.responses = responses
        self.latency = latency
        self.stall = stall
        self.retryAfterSeconds = retryAfterSeconds
        self.chunkedBodies = chunkedBodies
        self.pipeRows = max(0, pipeRows)
    }

    public func action(forRequest number: Int) -> Action {
        switch responses {
        case let .always(action):
            return action
        case let .sequence(actions, then):
            return number < actions.count ? actions[number] : then
        case let .weighted(choices, seed):
            let total = choices.reduce(0) { $0 + max($1.weight, 0) }
            guard total > 0 else { return .ok }
            var target = FakeTargetBehavior.unit(seed: seed, number: number) * total
            for choice in choices where choice.weight > 0 {
                if target < choice.weight { return choice.action }
                target -= choice.weight
            }
            return choices.last?.action ?? .ok
        }
    }

    public func delay(forRequest number: Int) -> Duration {
        switch latency {
        case .none: return .zero
        case let .fixed(delay): return delay
        case let .uniform(low, high, seed):
            return low + (high - low) * FakeTargetBehavior.unit(seed: seed, number: number)
        case let .custom(delay): return delay(number)
        }
    }

    /// A uniform value in [0, 1) from SplitMix64 of seed and request number.
    static func unit(seed: UInt64, number: Int) -> Double {
        var z = seed &+ UInt64(truncatingIfNeeded: number) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }
}
