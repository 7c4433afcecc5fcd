import Foundation
import Testing
import Glibc
import StarlingJSON
@testable import StarlingNet

@Suite(.timeLimit(.minutes(1))) struct HTTPConnectionTests {
    @Test func keepAliveReusesOneConnection() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let connection = try HTTPConnection(to: target.url)
        for _ in 0..<50 {
            let response = try connection.send(HTTPRequest(path: "/"))
            #expect(response.status == 200)
            #expect(response.bodyText == "ok")
        }
        #expect(connection.completedExchanges == 50)
        #expect(target.stats.connections == 1)
        #expect(target.stats.requests == 50)
    }

    @Test func poolReusesConnectionsAcrossThreads() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let pool = HTTPClientPool(options: HTTPClientOptions(maxConnectionsPerEndpoint: 2))
        let url = target.url
        try withThrowingConcurrentWorkers(4) { _ in
            for _ in 0..<25 { _ = try pool.send(HTTPRequest(path: "/"), to: url) }
        }
        #expect(target.stats.requests == 100)
        #expect(target.stats.connections <= 2)
        #expect(pool.connectionsOpened == target.stats.connections)
    }

    @Test func poolReplaysOnceWhenAReusedConnectionIsClosedBeforeAnyByte() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .sequence([.ok, .drop], then: .ok)))
        defer { target.stop() }
        let pool = HTTPClientPool()
        #expect(try pool.send(HTTPRequest(path: "/"), to: target.url).status == 200)
        #expect(try pool.send(HTTPRequest(path: "/"), to: target.url).status == 200)
        #expect(pool.replayedRequests == 1)
        #expect(target.stats.requests == 3)
        #expect(target.stats.connections == 2)
    }

    @Test func closeIdleForcesANewConnection() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let pool = HTTPClientPool()
        _ = try pool.send(HTTPRequest(path: "/"), to: target.url)
        pool.closeIdle()
        _ = try pool.send(HTTPRequest(path: "/"), to: target.url)
        #expect(pool.connectionsOpened == 2)
        #expect(pool.replayedRequests == 0)
    }

    @Test func poolDoesNotReplayOnAFreshConnection() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .sequence([.drop], then: .ok)))
        defer { target.stop() }
        let pool = HTTPClientPool()
        #expect(throws: TransportError.connectionClosed) { try pool.send(HTTPRequest(path: "/"), to: target.url) }
        #expect(pool.replayedRequests == 0)
        #expect(try pool.send(HTTPRequest(path: "/"), to: target.url).status == 200)
    }

    @Test func basePathIsPrefixed() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        var url = target.url
        url.basePath = "/api"
        let response = try HTTPClientPool().send(PipeRequest(pipe: "p", token: "t").httpRequest, to: url)
        // The fake target matches "/v0/pipes/" anywhere in the path, so the prefixed path still answers JSON.
        #expect(try PipeResponse(body: response.body).data.count == 1)
    }

    @Test func connectRefusedSaysIsTheTargetRunning() throws {
        let port = try unusedPort()
        #expect(throws: TransportError.connectFailed(host: "127.0.0.1", port: port, errno: ECONNREFUSED)) {
            try HTTPConnection(to: TargetURL(scheme: .http, host: "127.0.0.1", port: port))
        }
    }

    @Test func unknownHostIsAResolveError() {
        #expect {
            try HTTPConnection(to: TargetURL(scheme: .http, host: "no-such-host.invalid", port: 80))
        } throws: { error in
            guard case let .resolve(host, _) = error as? TransportError else { return false }
            return host == "no-such-host.invalid"
        }
    }

    @Test func slowResponseIsAReadTimeoutAndClosesTheConnection() throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(latency: .fixed(.seconds(3))))
        defer { target.stop() }
        let connection = try HTTPConnection(to: target.url, options: HTTPClientOptions(readTimeout: .milliseconds(200)))
        #expect(throws: TransportError.timeout(.read)) { try connection.send(HTTPRequest(path: "/")) }
        #expect(!connection.isOpen)
    }

    @Test func ipv6LoopbackWhenAvailable() throws {
        guard let target = try? FakeTarget(host: "::1") else { return }  // no IPv6 on this host
        defer { target.stop() }
        let url = try TargetURL(parsing: "http://[::1]:\(target.port)")
        let response = try HTTPConnection(to: url).send(HTTPRequest(path: "/"))
        #expect(response.status == 200)
        #expect(target.stats.requests == 1)
    }

    @Test(arguments: [false, true])
    func largeResponseBodiesOverTheWire(chunked: Bool) throws {
        let target = try FakeTarget(behavior: FakeTargetBehavior(chunkedBodies: chunked, pipeRows: 50_000))
        defer { target.stop() }
        let connection = try HTTPConnection(to: target.url)
        for _ in 0..<3 {
            let response = try connection.send(PipeRequest(pipe: "p", token: "t").httpRequest)
            #expect(response.headers.contains("Transfer-Encoding", token: "chunked") == chunked)
            let parsed = try PipeResponse(body: response.body)
            #expect(parsed.data.count == 50_000)
            #expect(parsed.data.last?["n"]?.int64Value == 49_999)
            #expect(PipeStatistics.scan(response.body) == parsed.statistics)
        }
        #expect(target.stats.connections == 1)
    }

    @Test func largeGzipEventsBodyIsWrittenAndCounted() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let ndjson = Array((0..<20_000).map { "{\"i\":\($0),\"pad\":\"\(String(repeating: "x", count: $0 % 50))\"}\n" }.joined().utf8)
        let request = EventsRequest(datasource: "ds", token: "t", wait: true, body: try Gzip.compress(ndjson), isGzipped: true)
        let response = try HTTPConnection(to: target.url).send(request.httpRequest)
        #expect(response.status == 200)
        #expect(EventsResponse(body: response.body) == EventsResponse(successfulRows: 20_000, quarantinedRows: 0))
        #expect(target.stats.eventRows == 20_000)
    }
}

/// A port nothing listens on: bind port 0, read it, close.
func unusedPort() throws -> Int {
    let target = try FakeTarget()
    let port = target.port
    target.stop()
    return port
}

/// Runs `body` on `count` threads and rethrows the first error.
func withThrowingConcurrentWorkers(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let failures = FailureBox()
    let threads = (0..<count).map { index in
        ThreadRunner { do { try body(index) } catch { failures.record(error) } }
    }
    threads.forEach { $0.join() }
    if let error = failures.first { throw error }
}

/// A server for its first request only: reads it, sends `head`, then hands the socket to `body`,
/// which sends what it likes until a send fails (the client hung up). A hostile server's modes.
final class OneAnswerServer: Sendable {
    let port: Int
    private let listener: Int32

    init(head: String, body: @escaping @Sendable (_ send: (inout [UInt8]) -> Bool) -> Void) throws {
        (listener, port) = try FakeTarget.listen(host: "127.0.0.1")
        let listener = self.listener
        let thread = Thread {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var request = [UInt8](repeating: 0, count: 1 << 16)
            _ = recv(client, &request, request.count, 0)
            let send = { (bytes: inout [UInt8]) in Glibc.send(client, &bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count }
            var head = Array(head.utf8)
            guard send(&head) else { return }
            body(send)
        }
        thread.start()
    }

    /// Its head at once, then a body of `bytes` bytes one at a time, `interval` apart.
    static func trickling(byteEvery interval: Duration, bodyBytes: Int) throws -> OneAnswerServer {
        try OneAnswerServer(head: "HTTP/1.1 200 OK\r\nContent-Length: \(bodyBytes)\r\n\r\n") { send in
            var byte = [UInt8(ascii: "x")]
            for _ in 0..<bodyBytes where send(&byte) {
                usleep(UInt32(interval.components.attoseconds / 1_000_000_000_000) + UInt32(interval.components.seconds) * 1_000_000)
            }
        }
    }

    /// A chunked body without end (until the client hangs up, or 400 MB).
    static func endless() throws -> OneAnswerServer {
        try OneAnswerServer(head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") { send in
            var chunk = Array("1000\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4096) + Array("\r\n".utf8)
            for _ in 0..<100_000 where send(&chunk) {}
        }
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}

@Suite(.timeLimit(.minutes(1))) struct TricklingAnswerTests {
    /// An Events API answer that never ends is cut at the answer's limit (1 MiB), not read into
    /// memory for as long as the server sends.
    @Test func anEndlessEventsAnswerIsCutAtItsLimit() throws {
        let server = try OneAnswerServer.endless()
        defer { server.stop() }
        let connection = try HTTPConnection(to: TargetURL(parsing: "http://127.0.0.1:\(server.port)"))
        let request = EventsRequest(datasource: "store_visits", token: "t", wait: true, body: Array("{}\n".utf8)).httpRequest
        do {
            _ = try connection.send(request)
            Issue.record("an endless answer was read to its end")
        } catch {
            #expect(error == .malformedResponse(reason: "body exceeds \(EventsRequest.maxAnswerBytes) bytes"), "\(error)")
        }
    }

    /// A body trickling in a byte every 200 ms would take 20 s; every read is quick, so only a bound
    /// on the whole exchange stops it: the read timeout (1 s here), not 20 s later.
    @Test func aTricklingBodyIsBoundedAsAWhole() throws {
        let server = try OneAnswerServer.trickling(byteEvery: .milliseconds(200), bodyBytes: 100)
        defer { server.stop() }
        let connection = try HTTPConnection(to: TargetURL(parsing: "http://127.0.0.1:\(server.port)"), options: HTTPClientOptions(readTimeout: .seconds(1)))
        let began = ContinuousClock.now
        #expect(throws: TransportError.timeout(.read)) { try connection.send(HTTPRequest(path: "/")) }
        let took = ContinuousClock.now - began
        #expect(took < .seconds(4), "the exchange lasted \(took)")
    }
}
