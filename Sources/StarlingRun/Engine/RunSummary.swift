import StarlingMetrics

/// `summary.json`: the versioned record of a run that reports, `compare` and `merge` read.
/// Times are milliseconds, rates per second. Never contains the token. Version 2 added `stop`,
/// `phases`, `warnings` and the ingest resend and schedule fields; version 3 added `cost` and each
/// check's `cost`. Older files still read (their new fields are absent).
public struct RunSummary: Codable, Sendable {
    public static let currentSchema = "starling.summary.v3"
    public static let readableSchemas = ["starling.summary.v1", "starling.summary.v2", "starling.summary.v3"]

    public var schema = RunSummary.currentSchema
    public var scenario: String
    public var seed: UInt64
    public var shard: String
    /// The target's URL (scheme, host, port, path; no token).
    public var target: String
    public var startedAt: String
    public var plannedSeconds: Double
    public var elapsedSeconds: Double
    public var valid: Bool
    public var invalidReasons: [String]
    /// Version 1's free-text stop reason (nil in version 2 summaries: see `stop`).
    public var stoppedEarly: String?
    /// How the load ended and why (version 2).
    public var stop: StopSummary?
    /// Seconds spent in each phase: `load`, `drain`, `settle`, `verify`, `write` (version 2).
    public var phases: [String: Double]?
    /// Problems that did not stop the run but that the user must know of (version 2).
    public var warnings: [String]?
    public var ingest: IngestSummary
    /// Per stream (`ingest`, `query.<pipe>`): latency from the intended send time.
    public var streams: [String: StreamSummary]
    /// How late the generator itself was (not the server): `ingest` and `query`.
    public var scheduleLag: [String: StreamSummary]
    public var queries: [String: QuerySummary]
    /// Seconds queries waited for a free query worker, in total (version 2).
    public var queryInFlightWaitSeconds: Double?
    /// One entry per (pipe, parameters) checked against its oracle; empty when no checks ran.
    public var checks: [CheckResult] = []
    /// The scenario's thresholds, each with its measured value and verdict.
    public var thresholds: [ThresholdResult] = []
    /// Per checked pipe, the rare cases its semantics depend on and how often the data exercised
    /// each (0: never — a bug there would pass unnoticed) (version 2).
    public var coverage: [String: [String: Int]]?
    /// Time until probe events became visible; nil when the run had no probes.
    public var freshness: FreshnessSummary?
    /// Per checked pipe, what its checked combinations cost the server (version 3).
    public var cost: [String: PipeCost]?

    /// interrupted (SIGINT/SIGTERM), aborted (the target was lost, refused the token or lacks a
    /// pipe), invalid (the run cannot be trusted), failed (a check or threshold failed), or passed.
    public var verdict: Verdict {
        if let reason = stop?.reason {
            if reason == .interrupted { return .interrupted }
            if reason.aborts { return .aborted }
        }
        if !valid { return .invalid }
        if checks.contains(where: { $0.status == .failed }) || thresholds.contains(where: { !$0.passed }) { return .failed }
        return .passed
    }
}

/// A run's verdict, and the CLI's exit code for it.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case passed, failed, invalid, interrupted, aborted

    /// 0 passed; 1 aborted (target lost or unreachable, token refused, pipe or datasource missing —
    /// the same code as bad input); 2 failed; 3 invalid; 4 interrupted.
    public var exitCode: Int32 {
        switch self {
        case .passed: return 0
        case .aborted: return 1
        case .failed: return 2
        case .invalid: return 3
        case .interrupted: return 4
        }
    }
}

/// How the load phase ended.
public struct StopSummary: Codable, Sendable, Equatable {
    /// `planned_end`, `over_capacity`, `interrupted`, `target_lost`, `token_refused` or `not_found`.
    public var reason: StopCode
    /// One line for the user.
    public var message: String
    /// Seconds into the run at which it happened (the start of the failures for `target_lost`).
    public var atSeconds: Double?
    /// Over capacity: `generator` (Starling's own CPU) or `target` (every in-flight request busy).
    public var side: String?

    public init(reason: StopCode, message: String, atSeconds: Double? = nil, side: String? = nil) {
        self.reason = reason
        self.message = message
        self.atSeconds = atSeconds
        self.side = side
    }
}

/// The outcome of comparing one pipe's answer for one parameter combination with its oracle.
public struct CheckResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case passed, failed, skipped }

    public var pipe: String
    /// The query string sent, e.g. `start_date=…&limit=5` (empty for the defaults).
    public var parameters: String
    public var status: Status
    /// Why it failed or was skipped.
    public var reason: String?
    /// The first differing rows, expected vs actual, as readable text.
    public var diff: String?
    /// What the combination exercises, as the check plan drew it (version 2).
    public var purpose: String?
    /// What the answer cost the server (version 3; nil when the target sent no `statistics`).
    public var cost: QueryCost?

    public init(pipe: String, parameters: String, status: Status, reason: String? = nil, diff: String? = nil, purpose: String? = nil,
                cost: QueryCost? = nil) {
        self.pipe = pipe
        self.parameters = parameters
        self.status = status
        self.reason = reason
        self.diff = diff
        self.purpose = purpose
        self.cost = cost
    }
}

/// The server's `statistics` for one (pipe, parameters) after settling: rows and bytes read are
/// fixed for the same data and project, unlike the time.
public struct QueryCost: Codable, Sendable, Equatable {
    public var rowsRead: Int64
    public var bytesRead: Int64
    /// Median of `statistics.elapsed` over the queries asked, in ms.
    public var elapsedMs: Double
    /// How many times it was asked.
    public var queries: Int

    public init(rowsRead: Int64, bytesRead: Int64, elapsedMs: Double, queries: Int) {
        self.rowsRead = rowsRead
        self.bytesRead = bytesRead
        self.elapsedMs = elapsedMs
        self.queries = queries
    }
}

/// One pipe's query cost over its checked combinations (Tinybird bills by data processed).
public struct PipeCost: Codable, Sendable, Equatable {
    /// Combinations whose answer carried statistics.
    public var combinations: Int
    /// Summed over the combinations.
    public var rowsRead: Int64
    public var bytesRead: Int64
    /// Summed medians, in ms.
    public var elapsedMs: Double
    /// Rows in the pipe's datasource when it was asked (nil: unknown).
    public var datasourceRows: Int?

    /// Rows read per combination over the datasource's rows: 1 means every query scanned it all.
    public var readRatio: Double? {
        guard let rows = datasourceRows, rows > 0, combinations > 0 else { return nil }
        return Double(rowsRead) / Double(combinations) / Double(rows)
    }

    public init(combinations: Int, rowsRead: Int64, bytesRead: Int64, elapsedMs: Double, datasourceRows: Int?) {
        self.combinations = combinations
        self.rowsRead = rowsRead
        self.bytesRead = bytesRead
        self.elapsedMs = elapsedMs
        self.datasourceRows = datasourceRows
    }

    /// Per pipe, from the checks that carry a cost.
    public static func summarize(_ checks: [CheckResult], datasourceRows: (String) -> Int?) -> [String: PipeCost] {
        var out: [String: PipeCost] = [:]
        for check in checks {
            guard let cost = check.cost else { continue }
            var pipe = out[check.pipe] ?? PipeCost(combinations: 0, rowsRead: 0, bytesRead: 0, elapsedMs: 0, datasourceRows: datasourceRows(check.pipe))
            pipe.combinations += 1
            pipe.rowsRead += cost.rowsRead
            pipe.bytesRead += cost.bytesRead
            pipe.elapsedMs += cost.elapsedMs
            out[check.pipe] = pipe
        }
        return out
    }
}

/// A scenario threshold (`"ingest.latency.p99": "< 250ms"`) with its value and verdict.
public struct ThresholdResult: Codable, Sendable, Equatable {
    public var metric: String
    /// The condition as written, e.g. `< 250ms`.
    public var condition: String
    /// The measured value in the metric's unit (ms for latencies, % for rates, a count for checks).
    public var value: Double?
    public var passed: Bool
    /// Why it could not be evaluated (e.g. no such pipe in the run), when `value` is nil.
    public var reason: String?

    public init(metric: String, condition: String, value: Double?, passed: Bool, reason: String? = nil) {
        self.metric = metric
        self.condition = condition
        self.value = value
        self.passed = passed
        self.reason = reason
    }
}

/// How long events took to become visible through the API.
public struct FreshnessSummary: Codable, Sendable, Equatable {
    public var probes: Int
    public var visible: Int
    /// Visibility latency measured from each probe's intended send time.
    public var fromIntended: StreamSummary?
    /// Visibility latency measured from each probe's acknowledgement.
    public var fromAcknowledgement: StreamSummary?
    /// Seconds from the last event's acknowledgement until every acknowledged event was visible.
    public var completenessSeconds: Double?

    /// The `totals.hlog` tags of the two visibility histograms.
    public static let intendedStream = "freshness.intended"
    public static let acknowledgedStream = "freshness.acknowledged"

    /// From the visibility histograms (µs) under `intendedStream` and `acknowledgedStream`.
    public init(probes: Int, visible: Int, histograms: [StreamName: HDRHistogram], completenessSeconds: Double?) {
        self.init(probes: probes, visible: visible,
                  fromIntended: visible > 0 ? histograms[Self.intendedStream].map { StreamSummary($0) } : nil,
                  fromAcknowledgement: visible > 0 ? histograms[Self.acknowledgedStream].map { StreamSummary($0) } : nil,
                  completenessSeconds: completenessSeconds)
    }

    public init(probes: Int, visible: Int, fromIntended: StreamSummary?, fromAcknowledgement: StreamSummary?, completenessSeconds: Double?) {
        self.probes = probes
        self.visible = visible
        self.fromIntended = fromIntended
        self.fromAcknowledgement = fromAcknowledgement
        self.completenessSeconds = completenessSeconds
    }
}

public struct IngestSummary: Codable, Sendable {
    public var ledger: LedgerCounts
    public var offeredEventsPerSecond: Double
    public var achievedEventsPerSecond: Double
    public var requests: Int
    public var gzip: Bool
    public var wait: Bool
    public var maxInFlight: Int
    public var batchMaxEvents: Int
    /// Failed attempts by reason (status code, "connection", "timeout"…), retried or not.
    public var errors: [String: Int]
    /// The dead-letter folder (`deadletter/`), when some events did not land.
    public var deadLetterFile: String?
    public var deadLetterLines: Int
    /// Requests sent again, by cause (`503`, `429`, `connection`, `idle_close`…) (version 2).
    public var resends: [String: Int]?
    /// Seconds batches waited for a free in-flight request, in total (version 2).
    public var inFlightWaitSeconds: Double?
    /// Events of the schedule never generated because the run ended first (an estimate from the
    /// rate profile: the schedule is not drawn past the stop) (version 2).
    public var notGeneratedEstimate: Int?
}

public struct QuerySummary: Codable, Sendable {
    public var offeredPerSecond: Double
    public var achievedPerSecond: Double
    public var errors: [String: Int]
    /// Means of the server's own statistics over successful answers.
    public var serverElapsedMs: Double?
    public var serverRowsRead: Double?
    public var serverBytesRead: Double?
    /// Each distinct error message of the pipe's failed requests (`HTTP 400: …`, token never
    /// included) with how many requests got it; absent when none failed.
    public var errorMessages: [String: Int]?
    /// Successful answers whose row count was read, and how many of them held no row.
    public var answers: Int?
    public var emptyAnswers: Int?
    /// The parameters of the first answer with no row (`name=value&…`).
    public var emptyParameters: String?

    /// Every answer the pipe gave held no row (and it gave some).
    public var neverReturnedRows: Bool { (answers ?? 0) > 0 && emptyAnswers == answers }

    public init(offeredPerSecond: Double, achievedPerSecond: Double, errors: [String: Int], serverElapsedMs: Double?,
                serverRowsRead: Double?, serverBytesRead: Double?) {
        self.offeredPerSecond = offeredPerSecond
        self.achievedPerSecond = achievedPerSecond
        self.errors = errors
        self.serverElapsedMs = serverElapsedMs
        self.serverRowsRead = serverRowsRead
        self.serverBytesRead = serverBytesRead
    }
}

/// Percentiles of one latency histogram, in milliseconds.
public struct StreamSummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var errors: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    /// Absent in summaries written before it was added.
    public var p95: Double?
    public var p99: Double
    public var p999: Double
    public var max: Double

    /// From a histogram of microseconds.
    public init(_ histogram: HDRHistogram, errors: Int = 0) {
        count = histogram.totalCount
        self.errors = errors
        let ms = { (value: UInt64) in Double(value) / 1000 }
        mean = histogram.totalCount > 0 ? histogram.mean / 1000 : 0
        p50 = ms(histogram.valueAtPercentile(50))
        p90 = ms(histogram.valueAtPercentile(90))
        p95 = ms(histogram.valueAtPercentile(95))
        p99 = ms(histogram.valueAtPercentile(99))
        p999 = ms(histogram.valueAtPercentile(99.9))
        max = ms(histogram.max)
    }
}

extension RunSummary {
    /// Why the load stopped early, for reports (nil when it ran to its planned end).
    public var stopMessage: String? {
        if let stop { return stop.reason == .plannedEnd ? nil : stop.message }
        return stoppedEarly
    }
}

extension RunSummary {
    /// Valid and run to its end: neither interrupted nor aborted (what `compare` and `ab` judge).
    public var isComparable: Bool { valid && verdict != .interrupted && verdict != .aborted }
}
