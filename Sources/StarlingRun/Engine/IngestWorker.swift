import Foundation
import StarlingNet

/// Sends batches from the queue to the Events API with the retry policy, until the queue closes.
/// Latency is measured from the batch's intended send time to its acknowledgement, retries included.
/// Every event ends in one ledger bucket; every event that did not land goes to the dead letter.
struct IngestWorker {
    let context: RunContext
    let config: IngestSettings
    var recorder = LocalRecorder(stream: "ingest")
    var compressor: GzipCompressor?
    var compressed: [UInt8] = []
    var requests = 0
    /// Requests sent again, by cause (`503`, `429`, `connection`, `idle_close`…).
    var resends: [String: Int] = [:]
    var connection: (any TargetConnection)?

    init(context: RunContext, config: IngestSettings) {
        self.context = context
        self.config = config
        if config.gzip {
            do {
                compressor = try GzipCompressor(level: 1)
            } catch {
                context.warnings.add("gzip is off: zlib could not be initialised; batches are sent uncompressed", detail: "\(error)")
            }
        }
    }

    /// Works until the queue is closed and empty. After an abrupt stop or past the drain deadline,
    /// batches still queued are not sent.
    mutating func run(_ queue: WorkQueue<IngestBatch>) -> LocalRecorder {
        while let batch = queue.pop() {
            if let cause = reasonNotToSend() {
                context.notSent(batch, cause: cause)
                continue
            }
            deliver(batch.body, events: batch.events, datasource: batch.datasource, intended: batch.intendedNanos, probes: batch.probes)
            recorder.flush(to: context.shared, now: context.clock.now())
        }
        connection?.close()
        recorder.flush(to: context.shared, now: context.clock.now(), force: true)
        return recorder
    }

    func reasonNotToSend() -> String? {
        context.cancellation.isCancelled || context.clock.now() >= context.drainDeadline ? context.notSentCause : nil
    }

    /// Sends one body until it is acknowledged, split, or given up; every event lands in one bucket.
    mutating func deliver(_ body: [UInt8], events: Int, datasource: String, intended: UInt64, probes: [(id: Int, line: Int)] = []) {
        var attempt = 1
        // Whether an earlier attempt may have been processed (sticky), and this one (per attempt).
        var possiblyLanded = false
        var thisMayHaveLanded = false
        while true {
            thisMayHaveLanded = false
            var request = EventsRequest(datasource: datasource, token: context.plan.token, wait: config.wait, body: body)
            compress(&request, body: body)
            requests += 1
            let decision: RetryDecision
            var failure: String
            var status = 0
            var response: HTTPResponse?
            let worker = connection ?? context.transport.makeConnection()
            connection = worker
            let resendsBefore = worker.resends
            do {
                let answer = try worker.send(request.httpRequest, timeout: remainingDrain())
                context.health.answered()
                response = answer
                status = answer.status
                failure = "\(answer.status)"
                decision = config.retry.decide(attempt: attempt, status: answer.status, headers: answer.headers, waitTrue: config.wait)
            } catch {
                failure = error.shortName
                decision = config.retry.decide(attempt: attempt, error: error)
                thisMayHaveLanded = error.requestMayHaveBeenProcessed
                possiblyLanded = possiblyLanded || thisMayHaveLanded
                if let lost = context.health.failed(error.description, at: context.clock.now()) {
                    context.stop(lost, notice: Self.lostNotice(lost, target: context.transport.target))
                }
            }
            if worker.resends > resendsBefore {
                // The connection replayed the request after its reused socket closed unanswered:
                // the server may have processed the first copy.
                resends["idle_close", default: 0] += worker.resends - resendsBefore
                context.ledger.recordPossiblyDuplicated(events * (worker.resends - resendsBefore))
            }
            let now = context.clock.now()
            let second = context.second(at: now)
            if decision != .success { recorder.recordFailedAttempt(failure) }
            if status == 401 || status == 403 {
                context.stop(.tokenRefused(status: status, request: "POST /v0/events?name=\(datasource)"),
                             notice: Self.refusedNotice(status, target: context.transport.target))
            } else if status == 404 {
                context.stop(.notFound("datasource \(datasource)"),
                             notice: "the target \(context.transport.target) answered 404 for the Events API of \(datasource): check the URL, region and that the workspace has this datasource")
            }
            switch decision {
            case .success:
                let answer = EventsResponse(body: response?.body ?? [])
                guard let (written, quarantined) = answer.accounting(of: events) else {
                    // A 2xx that does not say where every row went: they may have landed or not.
                    // Not counted as acknowledged: failed, possibly landed, and in the dead letter
                    // (replay resends the batch byte for byte, which Tinybird de-duplicates).
                    let said = answer.error ?? "successful_rows \(answer.successfulRows.map(String.init) ?? "absent"), quarantined_rows \(answer.quarantinedRows.map(String.init) ?? "absent") for \(events) rows sent"
                    recorder.recordFailedAttempt(Self.unconfirmed)
                    context.warnings.add("a \(status) answer of the Events API did not say where the rows went; its batches count as failed (possibly landed) and are in the dead letter", detail: said)
                    giveUp(body, events: events, datasource: datasource, bucket: .failed, failure: Self.unconfirmed, possiblyLanded: true,
                           latency: now &- intended, second: second, probes: probes)
                    return
                }
                context.ledger.record(written, in: .acknowledged)
                context.ledger.recordLanded(written, datasource: datasource)
                context.ledger.record(quarantined, in: .quarantined)
                recorder.record(latencyNanos: now &- intended, second: second, failure: nil, units: events)
                context.plan.freshness?.acknowledged(probes.map(\.id), at: now)
                return
            case .retry(let after):
                let resume = now + UInt64(max(0, after.nanosecondsClamped))
                if context.cancellation.isCancelled || resume >= context.drainDeadline {
                    // Stopped, or out of drain time: the batch counts as failed.
                    giveUp(body, events: events, datasource: datasource, bucket: .failed, failure: failure, possiblyLanded: possiblyLanded, latency: now &- intended, second: second, probes: probes)
                    return
                }
                resends[failure, default: 0] += 1
                if thisMayHaveLanded { context.ledger.recordPossiblyDuplicated(events) }
                context.clock.sleep(until: resume, unless: context.cancellation)
                attempt += 1
            case .split:
                guard events > 1, let halves = body.splitLines() else {
                    giveUp(body, events: events, datasource: datasource, bucket: .rejected, failure: failure, possiblyLanded: false, latency: now &- intended, second: second, probes: probes)
                    return
                }
                // Each half carries the probes on its own lines.
                let firstProbes = probes.filter { $0.line < halves.firstLines }
                let secondProbes = probes.filter { $0.line >= halves.firstLines }.map { (id: $0.id, line: $0.line - halves.firstLines) }
                deliver(halves.first, events: halves.firstLines, datasource: datasource, intended: intended, probes: firstProbes)
                deliver(halves.second, events: halves.secondLines, datasource: datasource, intended: intended, probes: secondProbes)
                return
            case .giveUp:
                let bucket: IngestLedger.Bucket = (400..<500).contains(status) && status != 429 && status != 408 ? .rejected : .failed
                giveUp(body, events: events, datasource: datasource, bucket: bucket, failure: failure, possiblyLanded: possiblyLanded && bucket == .failed,
                       latency: now &- intended, second: second, probes: probes)
                return
            }
        }
    }

    /// The time left until the drain deadline, as a per-request timeout.
    func remainingDrain() -> Duration {
        let now = context.clock.now()
        let deadline = context.drainDeadline
        return .nanoseconds(Int64(deadline > now ? deadline - now : 0))
    }

    mutating func compress(_ request: inout EventsRequest, body: [UInt8]) {
        guard let compressor else { return }
        do {
            try compressor.compress(body, into: &compressed)
            request.body = compressed
            request.isGzipped = true
        } catch {
            context.warnings.add("gzip failed for some batches; they were sent uncompressed", detail: "\(error)")
        }
    }

    mutating func giveUp(_ body: [UInt8], events: Int, datasource: String, bucket: IngestLedger.Bucket, failure: String, possiblyLanded: Bool,
                         latency: UInt64, second: Int64, probes: [(id: Int, line: Int)]) {
        context.ledger.record(events, in: bucket)
        context.deadLetter.write(body, batch: deadLetterEntry(datasource, events, bucket: bucket, possiblyLanded: possiblyLanded, cause: failure))
        context.plan.freshness?.abandon(probes.map(\.id))
        recorder.record(latencyNanos: latency, second: second, failure: failure, units: events)
    }

    func deadLetterEntry(_ datasource: String, _ events: Int, bucket: IngestLedger.Bucket, possiblyLanded: Bool, cause: String) -> DeadLetter.Batch {
        DeadLetter.Batch(datasource: datasource, lines: events, bucket: bucket.code, possiblyLanded: possiblyLanded, cause: cause)
    }

    /// The cause of a batch whose 2xx answer did not account for its rows.
    static let unconfirmed = "unconfirmed"

    static func refusedNotice(_ status: Int, target: TargetURL) -> String {
        "the token was refused by \(target) (\(status)): check --token / TB_TOKEN and its scopes (APPEND on the datasources, READ on the pipes)"
    }

    static func lostNotice(_ reason: StopReason, target: TargetURL) -> String {
        guard case let .targetLost(since, why) = reason else { return "the target \(target) was lost" }
        return "the target \(target) became unreachable \(String(format: "%.1f", since)) s into the run (\(why)); stopping the run"
    }
}

/// The ingest settings a worker needs, resolved from the scenario and flags.
public struct IngestSettings: Sendable {
    public var gzip: Bool
    public var wait: Bool
    public var retry: RetryPolicy
}

extension TransportError {
    /// A short label for error counts: "timeout.read", "connection", "too_large", "cut_short", …
    /// named for the cause, so that a server sending too much, too slowly or too little is told
    /// apart from one sending nonsense ("malformed").
    var shortName: String {
        switch self {
        case .timeout(.read): return "timeout"
        case .timeout(let phase): return "timeout.\(phase == .tlsHandshake ? "tls" : phase == .poolWait ? "pool" : phase.rawValue)"
        case .connectionClosed, .connectFailed: return "connection"
        case .tls: return "tls"
        case .resolve: return "resolve"
        case .malformedResponse(let reason):
            if reason.hasPrefix("body exceeds") || reason.hasPrefix("response head exceeds") { return "too_large" }
            if reason.hasPrefix("connection closed") { return "cut_short" }
            return "malformed"
        case .socket: return "socket"
        }
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        return seconds > 1_000_000 ? Int64.max / 2 : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
