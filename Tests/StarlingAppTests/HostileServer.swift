import Foundation
import Glibc
@testable import StarlingNet
import Synchronization

/// A loopback server that misbehaves on purpose, one way per kind of request: the Events API
/// (`POST /v0/events`) and the pipes (`GET /v0/pipes/…`) each get a `Mode`. Every answer closes its
/// connection (`Connection: close`), and the server reads a whole request (head and
/// `Content-Length` body) before it answers, so what the client sees is the mode, not a reset for
/// unread bytes. Each connection has its thread; `stop` ends them all.
final class HostileServer: Sendable {
    enum Mode: String, Sendable, CaseIterable {
        /// A proper answer: the Events API's counts of the NDJSON lines received (send them
        /// uncompressed), an empty pipe answer.
        case ok
        /// The status line, then a header byte every 200 ms, never ending the head.
        case trickleHead
        /// A whole head announcing 1,000,000 bytes, then a body byte every 200 ms.
        case trickleBody
        /// A chunked body that never ends (64 KiB chunks, as fast as the client reads).
        case endlessChunked
        /// `Content-Length: 2000000000`, then zeros as fast as the client reads.
        case hugeContentLength
        /// 200 with a body that is not JSON.
        case notJSON
        /// 200 with counts no batch can have (negative, and more rows than were sent).
        case impossibleCounts
        /// Half a status line, then a reset (`SO_LINGER` 0).
        case resetMidHead
        /// Header lines without end (100 bytes each, as fast as the client reads).
        case headerFlood
    }

    let port: Int
    let events: Mode
    let pipes: Mode
    /// Pipe requests answered properly before `pipes` applies (the preflight's).
    let pipesHostileAfter: Int
    private let listener: Int32
    private let state = Mutex<(clients: Set<Int32>, pipeRequests: Int, stopped: Bool)>(([], 0, false))
    private let running = Atomic<Int>(0)

    init(events: Mode, pipes: Mode = .ok, pipesHostileAfter: Int = 0) throws {
        (listener, port) = try FakeTarget.listen(host: "127.0.0.1")
        self.events = events
        self.pipes = pipes
        self.pipesHostileAfter = pipesHostileAfter
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        let clients: Set<Int32> = state.withLock { s in
            s.stopped = true
            return s.clients
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
        // The connection threads end once their sends fail; wait for them (bounded).
        for _ in 0..<200 where running.load(ordering: .relaxed) > 0 { usleep(10_000) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let admitted = state.withLock { s in
                if s.stopped { return false }
                s.clients.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                return
            }
            running.add(1, ordering: .relaxed)
            let thread = Thread { [self] in
                serve(client)
                state.withLock { _ = $0.clients.remove(client) }
                close(client)
                running.subtract(1, ordering: .relaxed)
            }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        guard let (head, body) = Self.readRequest(client) else { return }
        let mode: Mode
        var lines = 0
        if head.hasPrefix("POST /v0/events") {
            mode = events
            lines = body.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        } else if head.hasPrefix("GET /v0/pipes") || head.hasPrefix("POST /v0/pipes") {
            let number = state.withLock { s in
                s.pipeRequests += 1
                return s.pipeRequests
            }
            mode = number > pipesHostileAfter ? pipes : .ok
        } else {
            mode = .ok
        }
        let isEvents = head.hasPrefix("POST /v0/events")
        func send(_ text: String) -> Bool { send(Array(text.utf8)) }
        func send(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == bytes.count }
        }
        func answer(_ status: String, _ body: String) {
            _ = send("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        // Each hostile loop is bounded (a minute at most) even if the client never hangs up.
        switch mode {
        case .ok:
            answer("200 OK", isEvents ? "{\"successful_rows\":\(lines),\"quarantined_rows\":0}"
                : "{\"meta\":[],\"data\":[],\"rows\":0,\"statistics\":{\"elapsed\":0.001,\"rows_read\":0,\"bytes_read\":0}}")
        case .trickleHead:
            guard send("HTTP/1.1 200 OK\r\nX-Slow: ") else { return }
            for _ in 0..<300 where send("a") { usleep(200_000) }
        case .trickleBody:
            guard send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n") else { return }
            for _ in 0..<300 where send("{") { usleep(200_000) }
        case .endlessChunked:
            guard send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n") else { return }
            let chunk = Array("10000\r\n".utf8) + Array(repeating: UInt8(ascii: " "), count: 65_536) + Array("\r\n".utf8)
            for _ in 0..<100_000 where send(chunk) {}
        case .hugeContentLength:
            guard send("HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\nConnection: close\r\n\r\n") else { return }
            let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: 65_536)
            for _ in 0..<30_000 where send(zeros) {}
        case .notJSON:
            answer("200 OK", "<html>fine</html>")
        case .impossibleCounts:
            answer("200 OK", isEvents ? "{\"successful_rows\":-5,\"quarantined_rows\":\(lines * 1000)}" : "{\"rows\":-5}")
        case .resetMidHead:
            _ = send("HTTP/1.1 2")
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        case .headerFlood:
            guard send("HTTP/1.1 200 OK\r\n") else { return }
            let line = "X-Flood: " + String(repeating: "f", count: 89) + "\r\n"
            for _ in 0..<1_000_000 where send(line) {}
        }
    }

    /// The request's head (as text) and body (by its Content-Length); nil when the client went away.
    static func readRequest(_ client: Int32) -> (String, [UInt8])? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headEnd: Int?
        while headEnd == nil {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            received += buffer[0..<n]
            headEnd = received.indices.dropLast(3).first { received[$0] == 13 && received[$0 + 1] == 10 && received[$0 + 2] == 13 && received[$0 + 3] == 10 }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: received[0..<end], as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var body = Array(received[(end + 4)...])
        while body.count < length {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            body += buffer[0..<n]
        }
        return (head, body)
    }
}
