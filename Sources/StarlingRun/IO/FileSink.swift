import Glibc

/// A file descriptor written with `write(2)`: retries on EINTR and loops on partial writes, as
/// swift-system does. Owns the descriptor unless it is standard output.
public final class FileSink {
    public let path: String
    let descriptor: Int32
    let owned: Bool
    var closed = false
    /// Bytes written since the file was opened (its length, for a file this sink created).
    public private(set) var written = 0

    /// Creates or truncates `path`.
    public init(path: String) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        descriptor = fd
        owned = true
    }

    private init(standardOutput: Void) {
        path = "-"
        descriptor = STDOUT_FILENO
        owned = false
    }

    public static func standardOutput() -> FileSink { FileSink(standardOutput: ()) }

    /// Writes all of `bytes` (calls `write(2)` until done).
    public func write(_ bytes: [UInt8]) throws(FileError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(FileError) in try write(buffer) }
    }

    /// Writes all of `bytes` (calls `write(2)` until done).
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(FileError) {
        guard let start = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, start + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
            written += n
        }
    }

    /// Cuts the file back to its first `length` bytes and writes on from there: what a write that
    /// failed halfway (a full disk) left is removed, so the file ends where the last whole write did.
    public func truncate(to length: Int) throws(FileError) {
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        written = length
    }

    /// Closes the descriptor (once; standard output stays open).
    public func close() {
        if owned && !closed { _ = Glibc.close(descriptor) }
        closed = true
    }

    deinit { close() }
}

/// What can go wrong with files Starling writes or reads.
public enum FileError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path) for writing: \(reason)"
        case .writeFailed(let path, let reason): return "writing \(path) failed: \(reason)"
        case .cannotCreateDirectory(let path, let reason): return "cannot create directory \(path): \(reason)"
        }
    }
}
