/// An incremental HTTP/1.x response parser: feed it bytes as they arrive, in pieces of any size.
///
/// `consume(_:)` takes what it can and returns how many bytes it used; bytes it did not use (an
/// incomplete head or chunk-size line) must be offered again with more bytes appended. Handles
/// `Content-Length`, `Transfer-Encoding: chunked` (trailers skipped), bodies delimited by connection
/// close, responses that never have a body (HEAD, 1xx, 204, 304) and interim `100 Continue` heads.
struct HTTPResponseParser {
    enum Phase: Equatable {
        case head, fixedBody(remaining: Int), chunkSizeLine, chunkData(remaining: Int), chunkDataEnd, trailers
        case untilClose, complete
    }

    var phase: Phase = .head
    var response = HTTPResponse(status: 0)
    let requestMethod: HTTPRequest.Method
    let maxHeadBytes: Int
    let maxBodyBytes: Int

    init(requestMethod: HTTPRequest.Method, maxHeadBytes: Int = 64 * 1024, maxBodyBytes: Int = 1 << 30) {
        self.requestMethod = requestMethod
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    var isComplete: Bool { phase == .complete }

    /// Consumes a prefix of `bytes`; returns its length. Stops early when complete or when a line is cut.
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Int {
        var offset = 0
        while offset < bytes.count || phase == .complete {
            switch phase {
            case .complete:
                return offset
            case .head:
                guard let end = HTTPResponseParser.find(crlfcrlf: bytes, from: offset) else {
                    if bytes.count - offset > maxHeadBytes {
                        throw .malformedResponse(reason: "response head exceeds \(maxHeadBytes) bytes")
                    }
                    return offset
                }
                try parseHead(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                offset = end + 4
            case let .fixedBody(remaining):
                let taken = takeBody(bytes, from: offset, upTo: remaining)
                offset += taken
                phase = remaining == taken ? .complete : .fixedBody(remaining: remaining - taken)
            case .chunkSizeLine:
                guard let lineEnd = HTTPResponseParser.find(crlf: bytes, from: offset) else {
                    if bytes.count - offset > 1024 { throw .malformedResponse(reason: "chunk-size line too long") }
                    return offset
                }
                let size = try HTTPResponseParser.chunkSize(UnsafeRawBufferPointer(rebasing: bytes[offset..<lineEnd]))
                if response.body.count + size > maxBodyBytes {
                    throw .malformedResponse(reason: "body exceeds \(maxBodyBytes) bytes")
                }
                phase = size == 0 ? .trailers : .chunkData(remaining: size)
                offset = lineEnd + 2
            case let .chunkData(remaining):
                let taken = takeBody(bytes, from: offset, upTo: remaining)
                offset += taken
                phase = remaining == taken ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                guard bytes.count - offset >= 2 else { return offset }
                guard bytes[offset] == 13, bytes[offset + 1] == 10 else {
                    throw .malformedResponse(reason: "chunk data not followed by CRLF")
                }
                offset += 2
                phase = .chunkSizeLine
            case .trailers:
                guard let lineEnd = HTTPResponseParser.find(crlf: bytes, from: offset) else { return offset }
                if lineEnd == offset { phase = .complete }
                offset = lineEnd + 2
            case .untilClose:
                offset += takeBody(bytes, from: offset, upTo: maxBodyBytes - response.body.count)
                if response.body.count >= maxBodyBytes {
                    throw .malformedResponse(reason: "body exceeds \(maxBodyBytes) bytes")
                }
            }
        }
        return offset
    }

    /// Call when the peer closed the stream: completes a close-delimited body, else reports the cut.
    mutating func finishAtEndOfStream() throws(TransportError) {
        switch phase {
        case .complete: return
        case .untilClose:
            phase = .complete
        case .head:
            throw .malformedResponse(reason: "connection closed in the middle of the response head")
        default:
            throw .malformedResponse(
                reason: "connection closed after \(response.body.count) body bytes, before the body ended")
        }
    }

    /// The parsed response; meaningful once `isComplete`.
    func finishedResponse() -> HTTPResponse { response }

    private mutating func takeBody(_ bytes: UnsafeRawBufferPointer, from offset: Int, upTo limit: Int) -> Int {
        let count = min(limit, bytes.count - offset)
        response.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
        return count
    }
}
