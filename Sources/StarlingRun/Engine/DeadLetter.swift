import Synchronization

/// `deadletter.ndjson`: the events that did not land, as the exact NDJSON lines that were (or would
/// have been) sent, so the file can be replayed. Opened on the first write.
public final class DeadLetter: Sendable {
    public let path: String
    private let state = Mutex<(sink: FileSink?, lines: Int, error: FileError?)>((nil, 0, nil))

    public init(path: String) {
        self.path = path
    }

    /// Appends a batch's NDJSON body (complete lines).
    public func write(_ body: [UInt8], lines: Int) {
        state.withLock { s in
            do throws(FileError) {
                if s.sink == nil { s.sink = try FileSink(path: path) }
                try s.sink?.write(body)
                s.lines += lines
            } catch {
                s.error = error
            }
        }
    }

    /// Lines written so far.
    public var lines: Int { state.withLock { $0.lines } }
    /// The first write error, if any (reported in the summary; the events stay counted in the ledger).
    public var error: FileError? { state.withLock { $0.error } }

    public func close() {
        state.withLock { $0.sink?.close() }
    }
}
