import Foundation
import StarlingNet

/// Sends batches from the queue to the Events API with the retry policy, until the queue closes.
/// Latency is measured from the batch's intended send time to its acknowledgement, retries included.
struct IngestWorker {
    let pool: HTTPClientPool
    let target: TargetURL
    let token: String
    let config: IngestSettings
    let ledger: IngestLedger
    let deadLetter: DeadLetter
    let shared: SharedRecorder
    let stop: StopFlag
    let runStart: UInt64
    let freshness: FreshnessTracker?
    var recorder = LocalRecorder(stream: "ingest")
    var compressor: GzipCompressor?
    var compressed: [UInt8] = []
    var requests = 0
    var connection: WorkerConnection?

    init(pool: HTTPClientPool, target: TargetURL, token: String, config: IngestSettings, ledger: IngestLedger,
         deadLetter: DeadLetter, shared: SharedRecorder, stop: StopFlag, runStart: UInt64, freshness: FreshnessTracker?) {
        self.freshness = freshness
        self.pool = pool
        self.target = target
        self.token = token
        self.config = config
        self.ledger = ledger
        self.deadLetter = deadLetter
        self.shared = shared
        self.stop = stop
        self.runStart = runStart
        compressor = config.gzip ? try? GzipCompressor(level: 1) : nil
    }

    /// Works until the queue is closed and empty; batches left when `abandon` is set are not sent.
    mutating func run(_ queue: WorkQueue<IngestBatch>, abandon: StopFlag) -> LocalRecorder {
        while let batch = queue.pop() {
            if abandon.isSet {
                ledger.record(batch.events, in: .notSent)
                deadLetter.write(batch.body, lines: batch.events)
                continue
            }
            deliver(batch.body, events: batch.events, datasource: batch.datasource, intended: batch.intendedNanos, probes: batch.probes)
            recorder.flush(to: shared, now: MonotonicClock.now())
        }
        connection?.close()
        recorder.flush(to: shared, now: MonotonicClock.now(), force: true)
        return recorder
    }

    /// Sends one body until it is acknowledged, split, or given up; every event lands in one bucket.
    mutating func deliver(_ body: [UInt8], events: Int, datasource: String, intended: UInt64, probes: [Int] = []) {
        var attempt = 1
        while true {
            var request = EventsRequest(datasource: datasource, token: token, wait: config.wait, body: body)
            if let compressor, (try? compressor.compress(body, into: &compressed)) != nil {
                request.body = compressed
                request.isGzipped = true
            }
            requests += 1
            let decision: RetryDecision
            var failure: String
            var status = 0
            var response: HTTPResponse?
            do {
                let worker = connection ?? WorkerConnection(target: target, pool: pool)
                connection = worker
                let answer = try worker.send(request.httpRequest)
                response = answer
                status = answer.status
                failure = "\(answer.status)"
                decision = config.retry.decide(attempt: attempt, status: answer.status, headers: answer.headers, waitTrue: config.wait)
            } catch {
                failure = error.shortName
                decision = config.retry.decide(attempt: attempt, error: error)
            }
            let now = MonotonicClock.now()
            let second = Int64((now &- runStart) / 1_000_000_000)
            if decision != .success { recorder.recordFailedAttempt(failure) }
            switch decision {
            case .success:
                let answer = EventsResponse(body: response?.body ?? [])
                let written = min(answer.successfulRows ?? events, events)
                let quarantined = min(answer.quarantinedRows ?? 0, events - written)
                ledger.record(written, in: .acknowledged)
                ledger.recordLanded(written, datasource: datasource)
                ledger.record(quarantined, in: .quarantined)
                // Rows the answer does not account for did not land as far as we can tell.
                ledger.record(events - written - quarantined, in: .rejected)
                recorder.record(latencyNanos: now &- intended, second: second, failure: nil, units: events)
                freshness?.acknowledged(probes, at: now)
                return
            case .retry(let after):
                if stop.isSet && attempt >= 2 {
                    // Draining after a stop: one retry at most, then the batch counts as failed.
                    giveUp(body, events: events, bucket: .failed, failure: failure, latency: now &- intended, second: second)
                    return
                }
                stop.sleep(until: now + UInt64(max(0, after.nanosecondsClamped)))
                attempt += 1
            case .split:
                guard events > 1, let halves = body.splitLines() else {
                    giveUp(body, events: events, bucket: .rejected, failure: failure, latency: now &- intended, second: second)
                    return
                }
                // A probe is in one of the halves; each half acknowledges it, the first one counts.
                deliver(halves.first, events: halves.firstLines, datasource: datasource, intended: intended, probes: probes)
                deliver(halves.second, events: halves.secondLines, datasource: datasource, intended: intended, probes: probes)
                return
            case .giveUp:
                let bucket: IngestLedger.Bucket = (400..<500).contains(status) && status != 429 && status != 408 ? .rejected : .failed
                giveUp(body, events: events, bucket: bucket, failure: failure, latency: now &- intended, second: second)
                return
            }
        }
    }

    mutating func giveUp(_ body: [UInt8], events: Int, bucket: IngestLedger.Bucket, failure: String, latency: UInt64, second: Int64) {
        ledger.record(events, in: bucket)
        deadLetter.write(body, lines: events)
        recorder.record(latencyNanos: latency, second: second, failure: failure, units: events)
    }
}

/// The ingest settings a worker needs, resolved from the scenario and flags.
public struct IngestSettings: Sendable {
    public var gzip: Bool
    public var wait: Bool
    public var retry: RetryPolicy
}

extension TransportError {
    /// A short label for error counts: "timeout", "connection", "tls", …
    var shortName: String {
        switch self {
        case .timeout: return "timeout"
        case .connectionClosed, .connectFailed: return "connection"
        case .tls: return "tls"
        case .resolve: return "resolve"
        case .malformedResponse: return "malformed"
        }
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        return seconds > 1_000_000 ? Int64.max / 2 : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
