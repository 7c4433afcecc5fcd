import CZlib

/// A reusable gzip compressor: one zlib stream (`deflateInit2_`, windowBits 31 = gzip wrapper),
/// reset between inputs, writing into a caller-owned output buffer that keeps its capacity.
/// Not thread-safe: one per worker.
public final class GzipCompressor {
    public let level: Int
    private let stream: UnsafeMutablePointer<z_stream>

    public init(level: Int = 1) throws(GzipError) {
        self.level = min(max(level, 0), 9)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(stream, Int32(self.level), Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw .setupFailed(code: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Replaces the contents of `output` with the gzip stream of `input`.
    public func compress(_ input: [UInt8], into output: inout [UInt8]) throws(GzipError) {
        try input.withBytes { (bytes) throws(GzipError) in try compress(bytes, into: &output) }
    }

    /// Replaces the contents of `output` with the gzip stream of `input`.
    public func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(GzipError) {
        guard input.count <= Int(UInt32.max) else { throw .inputTooLarge(bytes: input.count) }
        deflateReset(stream)
        let bound = Int(deflateBound(stream, UInt(input.count)))
        if output.count < bound {
            output.append(contentsOf: repeatElement(0, count: bound - output.count))
        }
        let stream = self.stream
        let status = output.withUnsafeMutableBytes { outputBytes -> Int32 in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(input.count)
            stream.pointee.next_out = outputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(outputBytes.count)
            return deflate(stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { throw .compressionFailed(code: status) }
        output.removeLast(output.count - Int(stream.pointee.total_out))
    }
}
