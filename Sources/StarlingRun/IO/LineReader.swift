import Glibc

/// Reads a file line by line (`getline(3)`), each line with its `\n`, without loading the file.
public final class LineReader {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    public init(path: String) throws(FileError) {
        guard let file = fopen(path, "rb") else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = file
    }

    /// Appends the next line (with its newline, when it has one) to `bytes`; false at the end.
    public func appendLine(to bytes: inout [UInt8]) -> Bool {
        let count = getline(&buffer, &capacity, file)
        guard count > 0, let buffer else { return false }
        buffer.withMemoryRebound(to: UInt8.self, capacity: count) { bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
        return true
    }

    deinit {
        free(buffer)
        fclose(file)
    }
}
