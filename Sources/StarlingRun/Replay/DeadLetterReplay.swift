import Foundation
import StarlingJSON
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
        if stop?.reason == .interrupted { return 4 }
        if stop?.reason.aborts == true { return 1 }
        return ledger.undelivered > 0 || ledger.quarantined > 0 ? 2 : 0
    }
}

/// Sends a results folder's dead letter again, batch by batch and byte for byte, with the run's
/// retry rules and a ledger of its own. What still does not land goes to the replay's own dead
/// letter, so a replay can be replayed.
public enum DeadLetterReplay {
    /// The most lines one batch of a dead letter may list: far above any batch a run sends.
    static let maximumBatchLines = 10_000_000

    /// The batches of `folder`'s dead letter, in the order they were written. A results folder is
    /// input, not trust: the index and the files it names must be regular files inside the
    /// dead-letter folder (no symbolic link, no `..`, no device), each batch must name a datasource
    /// and a count that can be, and the files must hold exactly the lines the index lists, each
    /// batch's with the digest the run wrote; anything else is one error naming file and batch.
    public static func index(of folder: ResultsFolder) throws(ResultsError) -> [DeadLetter.Batch] {
        let path = folder.deadLetterPath + "/" + DeadLetter.indexName
        guard FileManager.default.fileExists(atPath: path) else {
            if folder.exists(.legacyDeadLetter) {
                throw .unreadable(folder.url(.legacyDeadLetter), "a version 1 dead letter mixes datasources and cannot be replayed safely; split it by datasource and POST each part")
            }
            throw .missing(path)
        }
        try requireDirectory(folder.deadLetterPath)
        try requireRegularFile(path)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var batches: [DeadLetter.Batch] = []
        for (number, line) in try ResultsFolder.read(path).split(separator: "\n").enumerated() {
            let batch: DeadLetter.Batch
            do {
                batch = try decoder.decode(DeadLetter.Batch.self, from: Data(line.utf8))
            } catch {
                throw .unreadable(path, "line \(number + 1): \(ResultsFolder.decodingReason(error))")
            }
            guard isDatasourceName(batch.datasource) else {
                throw .unreadable(path, "line \(number + 1): \(JSONValue.string(batch.datasource).summary) is not a datasource name (letters, digits and _): the dead letter was changed after the run")
            }
            guard (1...maximumBatchLines).contains(batch.lines) else {
                throw .unreadable(path, "line \(number + 1): \(batch.lines) lines is not a batch's count (1 to \(maximumBatchLines)): the dead letter was changed after the run")
            }
            batches.append(batch)
        }
        try checkLines(of: batches, in: folder)
        return batches
    }

    /// A datasource name as Tinybird allows it, so it names a file of the dead-letter folder only.
    static func isDatasourceName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 255, first == UInt8(ascii: "_") || (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || (($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z")) }
    }

    /// The dead letter file of `datasource` in `folder`.
    static func file(of datasource: String, in folder: ResultsFolder) -> String {
        folder.deadLetterPath + "/" + datasource + ".ndjson"
    }

    /// Reads every batch's lines once before anything is sent: each file holds exactly the lines
    /// the index lists for its datasource, and each batch's lines have the digest the run wrote
    /// (when the index has one).
    static func checkLines(of batches: [DeadLetter.Batch], in folder: ResultsFolder) throws(ResultsError) {
        var readers: [String: LineReader] = [:]
        for datasource in Set(batches.map(\.datasource)) {
            readers[datasource] = try reader(of: datasource, in: folder)
        }
        var line: [UInt8] = []
        for (number, batch) in batches.enumerated() {
            guard let reader = readers[batch.datasource] else { continue }
            var digest = FNV1a()
            for _ in 0..<batch.lines {
                line.removeAll(keepingCapacity: true)
                guard reader.appendLine(to: &line) else {
                    throw .unreadable(reader.path, "holds fewer lines than \(DeadLetter.indexName) lists (batch \(number + 1) is short): the dead letter was changed after the run")
                }
                digest.add(line)
            }
            if let expected = batch.digest, expected != digest.hex {
                throw .unreadable(reader.path, "the lines of batch \(number + 1) (line \(number + 1) of \(DeadLetter.indexName)) are not those the run wrote (digest \(digest.hex), written \(expected)): the dead letter was changed after the run")
            }
        }
        for reader in readers.values {
            line.removeAll(keepingCapacity: true)
            if reader.appendLine(to: &line) {
                throw .unreadable(reader.path, "holds more lines than \(DeadLetter.indexName) lists: the dead letter was changed after the run")
            }
        }
    }

    /// A reader of `datasource`'s dead letter, a regular file of the folder.
    static func reader(of datasource: String, in folder: ResultsFolder) throws(ResultsError) -> LineReader {
        let path = file(of: datasource, in: folder)
        try requireRegularFile(path)
        do {
            return try LineReader(path: path)
        } catch {
            throw .unreadable(path, ResultsFolder.reasonText(error))
        }
    }

    /// `path` is a regular file itself: not a symbolic link (which could point anywhere), a device
    /// or a pipe.
    static func requireRegularFile(_ path: String) throws(ResultsError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(path, "not a regular file (\(info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a device, pipe or folder")): replay reads only the files a run wrote")
        }
    }

    /// `path` is a folder itself, not a symbolic link to one.
    static func requireDirectory(_ path: String) throws(ResultsError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .unreadable(path, "not a folder (\(info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a file")): replay reads only the files a run wrote")
        }
    }

    /// Sends every batch of `source`'s dead letter through `environment` (its folder receives the
    /// replay's own dead letter). Reading problems throw before anything is sent.
    public static func run(from source: ResultsFolder, token: String, settings: ReplaySettings, environment: RunEnvironment) throws(ResultsError) -> ReplaySummary {
        let batches = try index(of: source)
        var readers: [String: LineReader] = [:]
        for datasource in Set(batches.map(\.datasource)) {
            readers[datasource] = try reader(of: datasource, in: source)
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
                                                                       possiblyLanded: batch.possiblyLanded, cause: context.cancellation.reason?.code.rawValue ?? "stopped"))
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
