extension HTTPResponseParser {
    /// Parses the status line and header fields (the head without its final CRLFCRLF) and picks
    /// how the body is delimited.
    mutating func parseHead(_ head: UnsafeRawBufferPointer) throws(TransportError) {
        var lines = HTTPResponseParser.lines(of: head)
        guard let statusLine = lines.first else { throw .malformedResponse(reason: "empty response head") }
        lines.removeFirst()
        let (minorVersion, status, reason) = try HTTPResponseParser.parseStatusLine(statusLine)
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw .malformedResponse(reason: "header line without a name: \(line.prefix(60))")
            }
            if line.first == " " || line.first == "\t" {
                throw .malformedResponse(reason: "obsolete folded header line")
            }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...].trimmingOWS))
        }
        let connectionClose = headers.contains("Connection", token: "close")
        let keepAlive = minorVersion >= 1 ? !connectionClose : headers.contains("Connection", token: "keep-alive")
        response = HTTPResponse(status: status, reason: reason, headers: headers, body: [], keepAlive: keepAlive)

        if (100..<200).contains(status) && status != 101 {
            phase = .head  // interim response (100 Continue): the real one follows
        } else if requestMethod == .head || status == 204 || status == 304 || status == 101 {
            phase = .complete
        } else if headers.contains("Transfer-Encoding", token: "chunked") {
            phase = .chunkSizeLine
        } else if let lengthText = headers["Content-Length"] {
            guard let length = Int(lengthText), length >= 0 else {
                throw .malformedResponse(reason: "invalid Content-Length '\(lengthText)'")
            }
            guard length <= maxBodyBytes else { throw .malformedResponse(reason: "body exceeds \(maxBodyBytes) bytes") }
            response.body.reserveCapacity(length)
            phase = length == 0 ? .complete : .fixedBody(remaining: length)
        } else {
            phase = .untilClose
            response.keepAlive = false
        }
    }

    static func parseStatusLine(_ line: Substring) throws(TransportError) -> (minor: Int, status: Int, reason: String) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let minor = Int(parts[0].dropFirst(7)),
              parts[1].count == 3, let status = Int(parts[1]), status >= 100
        else {
            throw .malformedResponse(reason: "bad status line '\(line.prefix(80))'")
        }
        return (minor, status, parts.count == 3 ? String(parts[2]) : "")
    }

    static func lines(of head: UnsafeRawBufferPointer) -> [Substring] {
        let text = String(decoding: head, as: UTF8.self)
        return text.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0 }
    }

    /// Parses `1a3f[;extension]` into a size.
    static func chunkSize(_ line: UnsafeRawBufferPointer) throws(TransportError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte) - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte) - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte) - 55
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw .malformedResponse(reason: "empty chunk size") }
                return size
            default:
                throw .malformedResponse(reason: "invalid chunk size byte \(byte)")
            }
            digits += 1
            guard digits <= 15 else { throw .malformedResponse(reason: "chunk size too large") }
            size = size << 4 | value
        }
        guard digits > 0 else { throw .malformedResponse(reason: "empty chunk size") }
        return size
    }

    static func find(crlf bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func find(crlfcrlf bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index + 3] == 10 && bytes[index + 2] == 13 && bytes[index + 1] == 10 && bytes[index] == 13 {
                return index
            }
            index += 1
        }
        return nil
    }
}
