import StarlingJSON

/// How `starling run` replays a scenario: the ingest rate profile and batching, the query mix,
/// and how long. Read from the scenario's `run` object; every field has a default.
public struct RunConfig: Sendable {
    /// Wall-clock length of the load phase, in seconds.
    public var duration: Double = 30
    /// How event timestamps are chosen in a run (default live: event time = intended send time).
    public var eventTime: EventTimeMode = .live
    public var ingest = IngestConfig()
    public var queries: [QueryConfig] = []
    /// Query requests in flight at most; nil: 8 + 1 per 2000 queries/s of the mix (up to 64).
    public var queryConcurrency: Int?
    /// The largest answer body a pipe query accepts (load queries, checks and probes): a larger or
    /// endless one fails that query (`too_large`) rather than growing memory with it.
    public var pipeAnswerMaxBytes = 8 << 20
    /// How schedule lag decides validity (see `starling help run`), with its limit in seconds.
    public var scheduleLagRule = LagRule.relative
    public var maxScheduleLag = 0.025
    /// After the planned end, how long queued and retrying requests may take (seconds).
    public var drainTimeout = 30.0
    /// Seconds of nothing but connection failures after which the target counts as lost.
    public var targetLostAfter = 2.0
    public var checks = ChecksConfig()
    public var thresholds: [Threshold] = []

    public init() {}

    init(reading reader: inout ObjectReader) throws(ScenarioError) {
        duration = try reader.duration("duration", default: duration) ?? duration
        guard duration > 0 else {
            throw .invalidValue(path: reader.childPath("duration"), expected: "a duration > 0", found: "0")
        }
        eventTime = try reader.choice("event_time", default: eventTime)
        scheduleLagRule = try reader.choice("schedule_lag_rule", default: scheduleLagRule)
        maxScheduleLag = try reader.duration("max_schedule_lag", default: maxScheduleLag) ?? maxScheduleLag
        drainTimeout = try reader.duration("drain_timeout", default: drainTimeout) ?? drainTimeout
        targetLostAfter = try reader.duration("target_lost_after", default: targetLostAfter) ?? targetLostAfter
        guard targetLostAfter > 0 else {
            throw .invalidValue(path: reader.childPath("target_lost_after"), expected: "a duration > 0", found: "0")
        }
        let concurrency = try reader.int("query_concurrency", default: 0, in: 0...1024)
        queryConcurrency = concurrency > 0 ? concurrency : nil
        pipeAnswerMaxBytes = try reader.int("pipe_answer_max_bytes", default: pipeAnswerMaxBytes, in: 1024...1_073_741_824)
        if var object = try reader.object("ingest") {
            ingest = try IngestConfig(reading: &object)
            try object.finish()
            if ingest.rate.expectedEvents(from: 0, to: duration, duration: duration) < 1 {
                throw .invalidValue(path: object.childPath("rate"), expected: "a rate profile that offers at least one event in the run's \(DurationText.format(seconds: duration))",
                                    found: "a rate of 0 events/s")
            }
        }
        if var object = try reader.object("checks") {
            checks = try ChecksConfig(reading: &object)
            try object.finish()
        }
        if var object = try reader.object("thresholds") {
            thresholds = try Threshold.read(&object)
            try object.finish()
        }
        if let value = reader.value("queries") {
            guard case .array(let items) = value else {
                throw .invalidValue(path: reader.childPath("queries"), expected: "a list of {\"pipe\", \"rate\", \"parameters\"}", found: value.summary)
            }
            queries = try items.enumerated().map { (i, item) throws(ScenarioError) in
                var object = try ObjectReader(item, path: "\(reader.childPath("queries"))[\(i)]")
                let query = try QueryConfig(reading: &object)
                try object.finish()
                return query
            }
        }
    }
}

/// Ingestion: the rate profile of events, how they are batched into requests, and how sent.
public struct IngestConfig: Sendable {
    public var rate = RateProfile.constant(1000)
    public var arrivals = ArrivalProcess.poisson
    /// A batch closes at this many events, this many bytes of NDJSON, or this long after its first
    /// event — whichever comes first.
    public var batchMaxEvents = 1000
    public var batchMaxBytes = 1 << 20
    public var batchMaxLinger = 0.05
    public var gzip = true
    /// Send `wait=true` (acknowledged once written) rather than the default buffered `wait=false`.
    public var wait = false
    /// Requests in flight at most (one connection each).
    public var maxInFlight = 8
    public var retryMaxAttempts = 5
    /// First retry backoff (doubling per attempt up to the maximum) when the server gives no wait.
    public var retryInitialBackoff = 0.2
    public var retryMaxBackoff = 3.0

    public init() {}

    init(reading reader: inout ObjectReader) throws(ScenarioError) {
        if let value = reader.value("rate") {
            rate = try RateProfile(value, path: reader.childPath("rate"))
        }
        arrivals = try reader.choice("arrivals", default: arrivals)
        batchMaxEvents = try reader.int("batch_max_events", default: batchMaxEvents, in: 1...10_000_000)
        batchMaxBytes = try reader.int("batch_max_bytes", default: batchMaxBytes, in: 1024...1_073_741_824)
        batchMaxLinger = try reader.duration("batch_max_linger", default: batchMaxLinger) ?? batchMaxLinger
        gzip = try reader.bool("gzip", default: gzip)
        wait = try reader.bool("wait", default: wait)
        maxInFlight = try reader.int("max_in_flight", default: maxInFlight, in: 1...1024)
        retryMaxAttempts = try reader.int("retry_max_attempts", default: retryMaxAttempts, in: 1...100)
        retryInitialBackoff = try reader.duration("retry_initial_backoff", default: retryInitialBackoff) ?? retryInitialBackoff
        retryMaxBackoff = try reader.duration("retry_max_backoff", default: retryMaxBackoff) ?? retryMaxBackoff
    }
}

/// `relative` (default): a run is invalid when significantly more than 1 % of requests started later
/// than `max(max_schedule_lag, 10 % of the stream's latency p99)`; `absolute`: when the lag p99
/// exceeds `max_schedule_lag`.
public enum LagRule: String, Sendable, CaseIterable {
    case relative, absolute
}

/// Poisson arrivals (exponential gaps, the realistic default) or evenly spaced ones.
public enum ArrivalProcess: String, Sendable, CaseIterable {
    case poisson, uniform
}

/// One pipe of the query mix: queried at `rate` per second on its own open-loop schedule, each
/// request with parameters drawn by `parameters`.
public struct QueryConfig: Sendable {
    public var pipe: String
    public var rate: Double
    public var parameters: [(name: String, sampler: ParameterSampler)]

    public init(pipe: String, rate: Double, parameters: [(name: String, sampler: ParameterSampler)] = []) {
        self.pipe = pipe
        self.rate = rate
        self.parameters = parameters
    }

    init(reading reader: inout ObjectReader) throws(ScenarioError) {
        guard let pipe = try reader.optionalString("pipe"), !pipe.isEmpty else {
            throw .missingKey(path: reader.childPath("pipe"), expected: "the pipe's name, e.g. \"top_products\"")
        }
        self.pipe = pipe
        rate = try reader.double("rate", default: 1, in: 0.001...1_000_000)
        parameters = []
        if var object = try reader.object("parameters") {
            for name in object.keys {
                guard let value = object.value(name) else { continue }
                parameters.append((name, try ParameterSampler(value, path: object.childPath(name))))
            }
            try object.finish()
        }
    }
}

/// How a query parameter's value is drawn for each request.
public indirect enum ParameterSampler: Sendable, Equatable {
    /// Always this value.
    case constant(String)
    /// One of these values, uniformly.
    case oneOf([String])
    /// A value of this column seen in the events sent so far (`visitor_id`, `customer_id`, …).
    case seen(column: String)
    /// One to `ParameterSampler.listMax` distinct values of this column seen so far, comma-separated
    /// (how Tinybird reads an `Array(name, 'String')` parameter). Written `"$column[]"`.
    case seenList(column: String)
    /// The start or end of a random window inside the time range sent so far.
    case windowStart, windowEnd
    /// The same as days (`YYYY-MM-DD`), for `Date` parameters.
    case windowStartDate, windowEndDate
    /// The same with milliseconds (`YYYY-MM-DD HH:MM:SS.000`), for `DateTime64` parameters.
    case windowStartMillis, windowEndMillis
    /// Left out of this share of requests (the pipe's `defined(name)` branch not taken), otherwise
    /// drawn by the inner sampler. Written `{"value": <sampler>, "omit_rate": 0.5}`.
    case sometimes(ParameterSampler, omitRate: Double)

    /// The most values a `seenList` draws.
    public static let listMax = 3

    /// Whether it draws from the events sent so far (a value of a column, a window of their times),
    /// so that it has nothing to give before the first of them.
    public var drawsFromSentValues: Bool {
        switch self {
        case .seen, .seenList, .windowStart, .windowEnd, .windowStartDate, .windowEndDate, .windowStartMillis, .windowEndMillis: return true
        case .constant, .oneOf, .sometimes: return false
        }
    }

    /// The column whose sent values this sampler draws, if any.
    public var seenColumn: String? {
        switch self {
        case .seen(let column), .seenList(let column): return column
        case .sometimes(let inner, _): return inner.seenColumn
        default: return nil
        }
    }

    init(_ value: JSONValue, path: String) throws(ScenarioError) {
        let expected = "a string, a list of strings, \"$<column>\" (a value of a column sent), \"$<column>[]\" (1–\(ParameterSampler.listMax) of them), \"$window_start\" / \"$window_end\", \"$window_start_date\" / \"$window_end_date\", \"$window_start_ms\" / \"$window_end_ms\", or {\"value\": …, \"omit_rate\": r}"
        switch value {
        case .object:
            var reader = try ObjectReader(value, path: path)
            guard let inner = reader.value("value") else {
                throw .missingKey(path: reader.childPath("value"), expected: "the sampler used when the parameter is sent")
            }
            let sampler = try ParameterSampler(inner, path: reader.childPath("value"))
            let rate = try reader.probability("omit_rate", default: 0.5)
            try reader.finish()
            self = .sometimes(sampler, omitRate: rate)
        case .string(let s) where s.hasPrefix("$") && s.hasSuffix("[]"):
            let name = String(s.dropFirst().dropLast(2))
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .invalidValue(path: path, expected: expected, found: value.summary)
            }
            self = .seenList(column: name)
        case .string(let s) where s.hasPrefix("$"):
            let name = String(s.dropFirst())
            switch name {
            case "window_start": self = .windowStart
            case "window_end": self = .windowEnd
            case "window_start_date": self = .windowStartDate
            case "window_end_date": self = .windowEndDate
            case "window_start_ms": self = .windowStartMillis
            case "window_end_ms": self = .windowEndMillis
            case _ where !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }): self = .seen(column: name)
            default: throw .invalidValue(path: path, expected: expected, found: value.summary)
            }
        case .string(let s): self = .constant(s)
        case .number: self = .constant(value.summary)
        case .array(let items):
            var values: [String] = []
            for item in items {
                switch item {
                case .string(let s): values.append(s)
                case .number: values.append(item.summary)
                default: throw .invalidValue(path: path, expected: expected, found: item.summary)
                }
            }
            guard !values.isEmpty else { throw .invalidValue(path: path, expected: expected, found: "an empty list") }
            self = .oneOf(values)
        default: throw .invalidValue(path: path, expected: expected, found: value.summary)
        }
    }
}
