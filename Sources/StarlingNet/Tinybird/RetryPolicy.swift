/// What to do after an attempt to send a request.
public enum RetryDecision: Sendable, Equatable {
    /// The request succeeded (2xx).
    case success
    /// Send the same bytes again after waiting `after`.
    case retry(after: Duration)
    /// The batch is too large (413): split it and send the halves.
    case split
    /// Do not retry; `reason` says why, for the ledger and the report.
    case giveUp(reason: String)
}

/// Tinybird's retry rules for the Events API as a pure function of the attempt and its outcome.
///
/// | outcome | decision |
/// |---|---|
/// | 2xx | success |
/// | 429 | wait `Retry-After` s, else `X-RateLimit-Reset` s, else exponential backoff |
/// | 502, 503, 504 | exponential backoff (200 ms doubling, capped at 3 s) |
/// | 500 | backoff only with `wait=true`; with `wait=false` the rows may already be queued |
/// | 413 | split the batch |
/// | 400, 403, 404, 422, other | give up |
/// | connection dropped, timeout, connect failed | backoff |
/// | malformed response, TLS, DNS | give up |
///
/// `attempt` is the 1-based number of the attempt that just finished; after `maxAttempts`
/// attempts every retry becomes `giveUp`.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Fraction (0…1) of each backoff that may be randomly removed, to spread synchronized
    /// retries. Applies only to the `using:` variants, which take the random source.
    public var jitter: Double
    /// Upper bound on a server-requested wait (`Retry-After`, `X-RateLimit-Reset`).
    public var maxServerWait: Duration

    public init(maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200),
                maxBackoff: Duration = .seconds(3), jitter: Double = 0, maxServerWait: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = min(max(jitter, 0), 1)
        self.maxServerWait = maxServerWait
    }

    /// The decision after an HTTP response, without jitter.
    public func decide(attempt: Int, status: Int, headers: HTTPHeaders, waitTrue: Bool) -> RetryDecision {
        decision(attempt: attempt, status: status, headers: headers, waitTrue: waitTrue, jitterUnit: 0)
    }

    /// The decision after an HTTP response, with jitter drawn from `random`.
    public func decide(attempt: Int, status: Int, headers: HTTPHeaders, waitTrue: Bool,
                       using random: inout some RandomNumberGenerator) -> RetryDecision {
        decision(attempt: attempt, status: status, headers: headers, waitTrue: waitTrue,
                 jitterUnit: Double.random(in: 0..<1, using: &random))
    }

    /// The decision after a transport failure, without jitter.
    public func decide(attempt: Int, error: TransportError) -> RetryDecision {
        decision(attempt: attempt, error: error, jitterUnit: 0)
    }

    /// The decision after a transport failure, with jitter drawn from `random`.
    public func decide(attempt: Int, error: TransportError,
                       using random: inout some RandomNumberGenerator) -> RetryDecision {
        decision(attempt: attempt, error: error, jitterUnit: Double.random(in: 0..<1, using: &random))
    }

    /// `initialBackoff · 2^(attempt−1)`, capped at `maxBackoff`.
    public func backoff(attempt: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(attempt, 1) where delay < maxBackoff { delay *= 2 }
        return min(delay, maxBackoff)
    }

    private func decision(attempt: Int, status: Int, headers: HTTPHeaders, waitTrue: Bool,
                          jitterUnit: Double) -> RetryDecision {
        switch status {
        case 200..<300:
            return .success
        case 429:
            if let wait = RetryPolicy.seconds(headers["Retry-After"]) ?? RetryPolicy.seconds(headers["X-RateLimit-Reset"]) {
                return retry(attempt: attempt, after: min(wait, maxServerWait), cause: "429 Too Many Requests")
            }
            return retry(attempt: attempt, after: jittered(backoff(attempt: attempt), jitterUnit), cause: "429 Too Many Requests")
        case 502, 503, 504:
            return retry(attempt: attempt, after: jittered(backoff(attempt: attempt), jitterUnit),
                         cause: "\(status) service unavailable")
        case 500 where waitTrue:
            return retry(attempt: attempt, after: jittered(backoff(attempt: attempt), jitterUnit), cause: "500 processing error")
        case 500:
            return .giveUp(reason: "500 processing error with wait=false: the rows may already be queued, so not retried (use wait=true to retry 500s)")
        case 413:
            return .split
        case 400:
            return .giveUp(reason: "400 bad request: nothing was inserted — check the datasource name and the NDJSON")
        case 403:
            return .giveUp(reason: "403 forbidden: the token is invalid or lacks the needed scope on the datasource")
        case 404:
            return .giveUp(reason: "404 not found: the workspace or resource is not on this host — check the target URL and region")
        case 422:
            return .giveUp(reason: "422 partially ingested (a materialized view failed): not retried, it could duplicate rows")
        default:
            return .giveUp(reason: "unexpected HTTP status \(status)")
        }
    }

    private func decision(attempt: Int, error: TransportError, jitterUnit: Double) -> RetryDecision {
        switch error {
        case .connectionClosed, .timeout, .connectFailed:
            return retry(attempt: attempt, after: jittered(backoff(attempt: attempt), jitterUnit), cause: error.description)
        case .malformedResponse, .tls, .resolve, .socket:
            return .giveUp(reason: error.description)
        }
    }

    private func retry(attempt: Int, after delay: Duration, cause: String) -> RetryDecision {
        guard attempt < maxAttempts else { return .giveUp(reason: "\(cause) — gave up after \(attempt) attempts") }
        return .retry(after: delay)
    }

    private func jittered(_ delay: Duration, _ unit: Double) -> Duration {
        jitter == 0 ? delay : delay * (1 - jitter * unit)
    }

    /// A non-negative number of seconds (fractions allowed) from a header value.
    static func seconds(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingOWS), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
