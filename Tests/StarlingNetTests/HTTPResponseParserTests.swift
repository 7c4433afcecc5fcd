import Testing
@testable import StarlingNet

/// Feeds `text` to a parser in pieces of `pieceSize`, keeping unconsumed bytes like the connection does.
func parse(_ text: String, method: HTTPRequest.Method = .get, pieceSize: Int = .max,
           closeAtEnd: Bool = false) throws -> (HTTPResponse, leftover: Int) {
    let bytes = Array(text.utf8)
    var parser = HTTPResponseParser(requestMethod: method)
    var pending: [UInt8] = []
    var offset = 0
    while !parser.isComplete {
        guard offset < bytes.count else {
            if closeAtEnd { try parser.finishAtEndOfStream(); break }
            throw TransportError.malformedResponse(reason: "test ran out of bytes")
        }
        let end = min(bytes.count, offset + min(pieceSize, bytes.count))
        pending += bytes[offset..<end]
        offset = end
        let consumed = try pending.withUnsafeBytes { try parser.consume($0) }
        pending.removeFirst(consumed)
    }
    return (parser.finishedResponse(), pending.count + bytes.count - offset)
}

@Suite struct HTTPResponseParserTests {
    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Request-Id: 7\r\n\r\n"
        + "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n"

    @Test(arguments: [1, 2, 3, 7, 64, Int.max])
    func chunkedBodyInAnyPieces(pieceSize: Int) throws {
        let (response, leftover) = try parse(Self.chunked, pieceSize: pieceSize)
        #expect(response.status == 200)
        #expect(response.bodyText == "hello 0123456789")
        #expect(response.headers["x-request-id"] == "7")
        #expect(response.keepAlive)
        #expect(leftover == 0)
    }

    @Test(arguments: [1, 5, Int.max])
    func contentLengthBodyInAnyPieces(pieceSize: Int) throws {
        let text = "HTTP/1.1 202 Accepted\r\ncontent-length: 27\r\n\r\n{\"successful_rows\":3}\n12345"
        let (response, _) = try parse(text, pieceSize: pieceSize)
        #expect(response.status == 202)
        #expect(response.reason == "Accepted")
        #expect(response.bodyText == "{\"successful_rows\":3}\n12345")
        #expect(response.headers["Content-Length"] == "27")
    }

    @Test func headAnd204And304HaveNoBody() throws {
        let head = try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", method: .head)
        #expect(head.0.body.isEmpty && head.0.keepAlive)
        for status in [204, 304] {
            let (response, leftover) = try parse("HTTP/1.1 \(status) X\r\nContent-Length: 3\r\n\r\nabc")
            #expect(response.status == status)
            #expect(response.body.isEmpty)
            #expect(leftover == 3)
        }
    }

    @Test func interim100ContinueIsSkipped() throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let (response, _) = try parse(text, pieceSize: 3)
        #expect(response.status == 200)
        #expect(response.bodyText == "ok")
    }

    @Test func connectionCloseAndHTTP10DecideKeepAlive() throws {
        #expect(try !parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").0.keepAlive)
        #expect(try !parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").0.keepAlive)
        #expect(try parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").0.keepAlive)
    }

    @Test func bodyDelimitedByClose() throws {
        let (response, _) = try parse("HTTP/1.1 200 OK\r\n\r\nuntil the end", pieceSize: 4, closeAtEnd: true)
        #expect(response.bodyText == "until the end")
        #expect(!response.keepAlive)
    }

    @Test func truncatedBodyIsAnErrorNamingTheCut() {
        #expect(throws: TransportError.malformedResponse(
            reason: "connection closed after 2 body bytes, before the body ended")) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", closeAtEnd: true)
        }
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    ])
    func rejectsMalformed(text: String) {
        #expect {
            try parse(text)
        } throws: { error in
            guard case .malformedResponse = error as? TransportError else { return false }
            return true
        }
    }
}
