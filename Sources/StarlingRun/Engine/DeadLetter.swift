import Foundation
import StarlingJSON
import Synchronization

/// The events that did not land, as the exact NDJSON lines that were (or would have been) sent:
/// `deadletter/<datasource>.ndjson` per datasource, plus `deadletter/batches.ndjson`, one line per
/// batch in write order — its datasource, line count, ledger bucket and whether it may have landed
/// after all (sent, no answer) — so `starling replay` resends each batch byte for byte (Tinybird
/// de-duplicates an identical retried payload; a re-cut batch would not be). Files are opened on
/// the first write. A batch is written whole or not at all: when a write fails (a full disk), both
/// files are cut back to where they were, so the dead letter stays readable and replayable; the
/// batch's events are counted as unwritten, the first error is kept and reported, and the ledger
/// still counts them.
public final class DeadLetter: Sendable {
    /// One batch in the index.
    public struct Batch: Codable, Sendable, Equatable {
        public var datasource: String
        public var lines: Int
        /// `not_sent`, `failed` or `rejected` (the ledger bucket).
        public var bucket: String
        /// Sent with no answer: the target may hold these rows already.
        public var possiblyLanded: Bool
        /// The last failure (`503`, `connection`, `stopped`…).
        public var cause: String
        /// FNV-1a of the batch's lines as written (`FNV1a.hex`): replay sends only what the run
        /// wrote. Absent in folders written before it was kept.
        public var digest: String?

        /// The line of `batches.ndjson` (snake_case keys, as `Codable` reads it back).
        var indexLine: String {
            "{\"datasource\":\(JSONValue.quoted(datasource)),\"lines\":\(lines),\"bucket\":\(JSONValue.quoted(bucket)),"
                + "\"possibly_landed\":\(possiblyLanded),\"cause\":\(JSONValue.quoted(cause))"
                + (digest.map { ",\"digest\":\(JSONValue.quoted($0))" } ?? "") + "}\n"
        }

        public init(datasource: String, lines: Int, bucket: String, possiblyLanded: Bool, cause: String, digest: String? = nil) {
            self.datasource = datasource
            self.lines = lines
            self.bucket = bucket
            self.possiblyLanded = possiblyLanded
            self.cause = cause
            self.digest = digest
        }
    }

    public static let folderName = "deadletter"
    public static let indexName = "batches.ndjson"

    /// The dead-letter folder (nil: lines are counted, not written — benchmarks).
    public let directory: String?
    private let state = Mutex<State>(State())

    private struct State {
        var sinks: [String: FileSink] = [:]
        /// Lines written, per datasource.
        var lines: [String: Int] = [:]
        /// Lines of batches that could not be written.
        var unwritten = 0
        var error: String?
        /// A failed write could not be undone: no more batches are written.
        var broken = false
    }

    public init(directory: String?) {
        self.directory = directory
    }

    /// Appends a batch's NDJSON body (complete lines) and its index entry (with the body's digest).
    public func write(_ body: [UInt8], batch: Batch) {
        var batch = batch
        var digest = FNV1a()
        digest.add(body)
        batch.digest = digest.hex
        let entry = Array(batch.indexLine.utf8)
        state.withLock { s in
            guard let directory else {
                s.lines[batch.datasource, default: 0] += batch.lines
                return
            }
            do throws(FileError) {
                guard !s.broken else { throw .writeFailed(path: directory, reason: "an earlier write could not be undone") }
                if s.sinks.isEmpty { try Self.makeDirectory(directory) }
                let index = try sink(DeadLetter.indexName, in: &s), lines = try sink(batch.datasource + ".ndjson", in: &s)
                let ends = (index.written, lines.written)
                do throws(FileError) {
                    try lines.write(body)
                    try index.write(entry)
                } catch {
                    do throws(FileError) {
                        try index.truncate(to: ends.0)
                        try lines.truncate(to: ends.1)
                    } catch {
                        s.broken = true  // it may hold part of this batch: nothing more is added to it
                    }
                    throw error
                }
                s.lines[batch.datasource, default: 0] += batch.lines
            } catch {
                s.unwritten += batch.lines
                if s.error == nil { s.error = error.description }
            }
        }
    }

    private func sink(_ name: String, in s: inout State) throws(FileError) -> FileSink {
        if let open = s.sinks[name] { return open }
        let opened = try FileSink(path: (directory ?? ".") + "/" + name)
        s.sinks[name] = opened
        return opened
    }

    /// Lines written so far, in all datasources.
    public var lines: Int { state.withLock { $0.lines.values.reduce(0, +) } }
    /// Lines of batches that could not be written (their events are in the ledger, not in the files).
    public var unwrittenLines: Int { state.withLock { $0.unwritten } }
    /// Lines written so far per datasource.
    public var linesByDatasource: [String: Int] { state.withLock { $0.lines } }
    /// The first write error, if any.
    public var error: String? { state.withLock { $0.error } }

    public func close() {
        state.withLock { s in s.sinks.values.forEach { $0.close() } }
    }

    static func makeDirectory(_ path: String) throws(FileError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .cannotCreateDirectory(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
