import Foundation
import StarlingNet
import StarlingSim
import Synchronization

/// How `starling replay` sends: the run's gzip and `wait` settings, the same retry rules.
public struct ReplaySettings: Sendable {
    public var gzip = true
    public var wait = true
    public var maxInFlight = 4
    public var retryMaxAttempts = 5
    public var retryInitialBackoff = 0.2
    public var retryMaxBackoff = 3.0
    public var drainTimeout = 30.0

    public init() {}
}

/// `replay.json`: the ledger of one replay of a results folder's dead letter.
public struct ReplaySummary: Codable, Sendable {
    public static let currentSchema = "starling.replay.v1"

    public var schema = ReplaySummary.currentSchema
    /// The results folder whose dead letter was sent.
    public var source: String
    public var target: String
    public var startedAt: String
    public var elapsedSeconds: Double
    public var batches: Int
    /// `generated` counts the events read from the dead letter; every one is in one bucket.
    public var ledger: LedgerCounts
    public var requests: Int
    public var errors: [String: Int]
    public var resends: [String: Int]
    /// Events of batches that had been sent without an answer (they may have landed then; Tinybird
    /// de-duplicates an identical payload retried within 5 hours, so they are sent byte for byte).
    public var possiblyLandedEvents: Int
    /// This replay's own dead letter (what still did not land), relative to its folder.
    public var deadLetterFile: String?
    public var deadLetterLines: Int
    public var stop: StopSummary?

    /// 0 every event landed; 1 the replay was aborted (target lost, token refused); 2 some events
    /// still did not land (they are in this replay's dead letter); 4 interrupted.
    public var exitCode: Int32 {
        switch stop?.reason {
        case "interrupted": return 4
        case "target_lost", "token_refused", "not_found": return 1
        default: return ledger.undelivered > 0 || ledger.quarantined > 0 ? 2 : 0
        }
    }
}

/// Sends a results folder's dead letter again, batch by batch and byte for byte, with the run's
/// retry rules and a ledger of its own. What still does not land goes to the replay's own dead
/// letter, so a replay can be replayed.
public enum DeadLetterReplay {
    /// The batches of `folder`'s dead letter, in the order they were written.
    public static func index(of folder: ResultsFolder) throws(ResultsError) -> [DeadLetter.Batch] {
        let path = folder.deadLetterPath + "/" + DeadLetter.indexName
        guard FileManager.default.fileExists(atPath: path) else {
            if folder.exists(.legacyDeadLetter) {
                throw .unreadable(folder.url(.legacyDeadLetter), "a version 1 dead letter mixes datasources and cannot be replayed safely; split it by datasource and POST each part")
            }
            throw .missing(path)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var batches: [DeadLetter.Batch] = []
        for (number, line) in try ResultsFolder.read(path).split(separator: "\n").enumerated() {
            do {
                batches.append(try decoder.decode(DeadLetter.Batch.self, from: Data(line.utf8)))
            } catch {
                throw .unreadable(path, "line \(number + 1): \(ResultsFolder.decodingReason(error))")
            }
        }
        return batches
    }

    /// Sends every batch of `source`'s dead letter through `environment` (its folder receives the
    /// replay's own dead letter). Reading problems throw before anything is sent.
    public static func run(from source: ResultsFolder, token: String, settings: ReplaySettings, environment: RunEnvironment) throws(ResultsError) -> ReplaySummary {
        let batches = try index(of: source)
        var readers: [String: LineReader] = [:]
        for datasource in Set(batches.map(\.datasource)) {
            do {
                readers[datasource] = try LineReader(path: source.deadLetterPath + "/" + datasource + ".ndjson")
            } catch {
                throw .unreadable(source.deadLetterPath + "/" + datasource + ".ndjson", ResultsFolder.reasonText(error))
            }
        }
        var run = RunConfig()
        run.drainTimeout = settings.drainTimeout
        var plan = RunPlan(scenario: Scenario(name: "replay", datasources: [], run: run), token: token)
        plan.duration = 86_400
        let context = RunContext(plan: plan, environment: environment)
        let retry = RetryPolicy(maxAttempts: settings.retryMaxAttempts, initialBackoff: .nanoseconds(Int64(settings.retryInitialBackoff * 1e9)),
                                maxBackoff: .nanoseconds(Int64(settings.retryMaxBackoff * 1e9)))
        let queue = WorkQueue<IngestBatch>(capacity: settings.maxInFlight, clock: context.clock)
        let collected = Mutex(RunEngine.Collected())
        let workers = ThreadGroup(clock: context.clock)
        for _ in 0..<settings.maxInFlight {
            workers.spawn {
                var worker = IngestWorker(context: context, config: IngestSettings(gzip: settings.gzip, wait: settings.wait, retry: retry))
                let recorder = worker.run(queue)
                let (requests, resends) = (worker.requests, worker.resends)
                collected.withLock { c in
                    c.ingest.append(recorder)
                    c.requests += requests
                    c.resends.merge(resends, uniquingKeysWith: +)
                }
            }
        }
        var possiblyLanded = 0
        for batch in batches {
            var body: [UInt8] = []
            var lines = 0
            while lines < batch.lines, readers[batch.datasource]?.appendLine(to: &body) == true { lines += 1 }
            guard lines > 0 else { continue }
            context.ledger.recordGenerated(lines)
            if batch.possiblyLanded { possiblyLanded += lines }
            let next = IngestBatch(datasource: batch.datasource, body: body, events: lines, intendedNanos: context.clock.now())
            if context.cancellation.isCancelled || queue.push(next) == nil {
                context.ledger.record(lines, in: .notSent)
                context.deadLetter.write(body, batch: DeadLetter.Batch(datasource: batch.datasource, lines: lines, bucket: IngestLedger.Bucket.notSent.code,
                                                                       possiblyLanded: batch.possiblyLanded, cause: context.cancellation.reason?.code ?? "stopped"))
            }
        }
        queue.close()
        workers.wait()
        context.deadLetter.close()
        let end = context.clock.now()
        let result = collected.withLock { $0 }
        var errors: [String: Int] = [:]
        for recorder in result.ingest { errors.merge(recorder.failedAttempts, uniquingKeysWith: +) }
        let stop = context.cancellation.reason.map { reason in
            RunOutcome.stopSummary(reason, plan: plan, target: context.transport.target, counts: context.ledger.counts, notGenerated: nil,
                                   inFlightWait: 0, stoppedAt: context.elapsed(end))
        }
        return ReplaySummary(
            source: source.path, target: context.transport.target.description, startedAt: RunOutcome.isoTime(nanos: context.startWall),
            elapsedSeconds: context.elapsed(end), batches: batches.count, ledger: context.ledger.counts,
            requests: result.requests, errors: errors, resends: result.resends, possiblyLandedEvents: possiblyLanded,
            deadLetterFile: context.deadLetter.lines > 0 ? DeadLetter.folderName + "/" : nil, deadLetterLines: context.deadLetter.lines,
            stop: stop)
    }
}
