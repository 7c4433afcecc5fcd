import CZlib

/// zlib-format (RFC 1950) DEFLATE, as `java.util.zip.Deflater` and Python's `zlib.compress` produce
/// for HdrHistogram's compressed encoding. `deflateInit_`/`inflateInit_` are called directly because
/// `deflateInit`/`inflateInit` are C macros Swift cannot import.
enum ZlibCodec {
    /// Compresses `input` at zlib's default level.
    static func deflate(_ input: [UInt8]) throws(MetricsError) -> [UInt8] {
        var stream = z_stream()
        let initCode = deflateInit_(&stream, Z_DEFAULT_COMPRESSION, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else { throw .compression(code: initCode, operation: "deflateInit") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        var input = input
        let code = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else { throw .compression(code: code, operation: "deflate") }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    /// Decompresses a whole zlib stream, refusing to produce more than `limit` bytes.
    static func inflate(_ input: ArraySlice<UInt8>, limit: Int) throws(MetricsError) -> [UInt8] {
        var stream = z_stream()
        let initCode = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else { throw .compression(code: initCode, operation: "inflateInit") }
        defer { inflateEnd(&stream) }
        var input = Array(input)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var code = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while code == Z_OK, output.count <= limit {
                code = chunk.withUnsafeMutableBufferPointer { destination in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = uInt(destination.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if code == Z_BUF_ERROR, stream.avail_in == 0 { break }
            }
        }
        guard output.count <= limit else {
            throw .invalidEncoding("decompressed histogram larger than \(limit) bytes")
        }
        guard code == Z_STREAM_END else { throw .compression(code: code, operation: "inflate") }
        return output
    }
}
