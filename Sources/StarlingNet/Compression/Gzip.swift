import CZlib

public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// zlib refused to set up a stream (`deflateInit2_`/`inflateInit2_` returned `code`).
    case setupFailed(code: Int32)
    /// Compression stopped with zlib status `code`.
    case compressionFailed(code: Int32)
    /// The input is not a complete gzip stream.
    case invalidData(reason: String)
    /// The input is larger than one zlib call can take (4 GiB).
    case inputTooLarge(bytes: Int)
    /// Decompressed data would exceed the allowed size.
    case outputTooLarge(limit: Int)

    public var description: String {
        switch self {
        case let .setupFailed(code): return "gzip: zlib could not start (status \(code)) — out of memory?"
        case let .compressionFailed(code): return "gzip: compression failed with zlib status \(code)"
        case let .invalidData(reason): return "gzip: the data is not valid gzip: \(reason)"
        case let .inputTooLarge(bytes): return "gzip: \(bytes) bytes is too large for one batch — use smaller batches"
        case let .outputTooLarge(limit): return "gzip: decompressed data exceeds \(limit) bytes"
        }
    }
}

/// One-shot gzip helpers. Hot paths keep a `GzipCompressor` per worker instead.
public enum Gzip {
    /// A complete gzip stream (RFC 1952) of `bytes` at zlib `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int = 1) throws(GzipError) -> [UInt8] {
        let compressor = try GzipCompressor(level: level)
        var output: [UInt8] = []
        try compressor.compress(bytes, into: &output)
        return output
    }

    /// The data inside a gzip stream (`inflateInit2_` with windowBits 31).
    public static func decompress(_ bytes: [UInt8], maxOutputBytes: Int = 1 << 30) throws(GzipError) -> [UInt8] {
        guard bytes.count <= Int(UInt32.max) else { throw .inputTooLarge(bytes: bytes.count) }
        var stream = z_stream()
        let setup = inflateInit2_(&stream, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard setup == Z_OK else { throw .setupFailed(code: setup) }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(256, min(bytes.count * 4, maxOutputBytes)))
        var produced = 0
        var status = Z_OK
        var input = bytes
        try input.withMutableBytes { (inputBytes) throws(GzipError) in
            stream.next_in = inputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = UInt32(inputBytes.count)
            while status != Z_STREAM_END {
                if produced == output.count {
                    guard output.count < maxOutputBytes else { throw .outputTooLarge(limit: maxOutputBytes) }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, maxOutputBytes - output.count)))
                }
                let start = produced
                status = output.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_out = outputBuffer.baseAddress.map { $0 + start }
                    stream.avail_out = UInt32(outputBuffer.count - start)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced = outputBuffer.count - Int(stream.avail_out)
                    return result
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 && produced < output.count {
                    throw .invalidData(reason: "stream ends before the gzip trailer")
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw .invalidData(reason: message)
                }
            }
        }
        output.removeLast(output.count - produced)
        return output
    }
}
