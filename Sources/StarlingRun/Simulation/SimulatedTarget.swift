import Foundation
import Glibc
import StarlingNet
import Synchronization

/// An in-process target on a `RunClock`, for engine tests in virtual time: it follows a
/// `FakeTargetBehavior` (statuses, latency, whole-server stalls, dropped connections) with every
/// delay slept on the clock, so a 20 s schedule with a 1 s stall runs in milliseconds and its
/// latencies are exact. It can also be lost (every connection refused from an instant on), drop a
/// connection after processing a request (so a resend duplicates rows), and it answers
/// `SELECT count() … FROM <datasource>` from the rows it acknowledged (for settle).
public final class SimulatedTarget: TargetTransport {
    public struct Options: Sendable {
        public var behavior = FakeTargetBehavior()
        /// From this clock instant on, every connection is refused.
        public var lostAt: UInt64?
        /// A scripted drop happens after the request was processed (rows kept), not before.
        public var dropAfterProcessing = false
        /// The body of a 2xx Events API answer for a batch of this many rows (a server that lies or
        /// says nothing: not JSON, `{}`, counts that do not add up); nil: the true counts.
        public var eventsAnswer: (@Sendable (_ lines: Int) -> String)?

        public init(behavior: FakeTargetBehavior = FakeTargetBehavior()) {
            self.behavior = behavior
        }
    }

    struct State {
        var requests = 0
        var bodies: [String: [[UInt8]]] = [:]
        var rows: [String: Int] = [:]
    }

    public let target = TargetURL(scheme: .http, host: "127.0.0.1", port: 9)
    public let options: Options
    let clock: any RunClock
    let startedAt: UInt64
    private let state = Mutex(State())

    public init(clock: any RunClock, options: Options = Options()) {
        self.clock = clock
        self.options = options
        startedAt = clock.now()
    }

    /// Requests received so far.
    public var requests: Int { state.withLock { $0.requests } }

    /// Rows acknowledged per datasource (what a `count()` answers).
    public var rows: [String: Int] { state.withLock { $0.rows } }

    /// The NDJSON lines of every acknowledged `/v0/events` request, of all datasources.
    public func acknowledgedLines() -> [String] {
        state.withLock { s in
            s.bodies.values.flatMap { $0 }.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        }
    }

    public func makeConnection() -> any TargetConnection { SimulatedConnection(target: self) }

    public func send(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse {
        try exchange(request, timeout: timeout)
    }

    public func close() {}

    func exchange(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse {
        if let lostAt = options.lostAt, clock.now() >= lostAt {
            throw .connectFailed(host: target.host, port: target.port, errno: ECONNREFUSED)
        }
        let number = state.withLock { s in
            defer { s.requests += 1 }
            return s.requests
        }
        let behavior = options.behavior
        if let stall = behavior.stall {
            let wait = stall.remainingStall(at: .nanoseconds(Int64(clock.now() - startedAt)))
            if wait > .zero { clock.sleep(until: clock.now() + UInt64(max(0, wait.nanosecondsClamped)), unless: nil) }
        }
        let action = behavior.action(forRequest: number)
        if action == .drop {
            if options.dropAfterProcessing { _ = respond(request, status: 200) }
            throw .connectionClosed
        }
        let delay = behavior.delay(forRequest: number)
        let delayNanos = UInt64(max(0, delay.nanosecondsClamped))
        if let timeout, timeout < delay {
            clock.sleep(until: clock.now() + UInt64(max(0, timeout.nanosecondsClamped)), unless: nil)
            throw .timeout(.read)
        }
        if delayNanos > 0 { clock.sleep(until: clock.now() + delayNanos, unless: nil) }
        var status = 200
        if case let .status(code) = action { status = code }
        var response = respond(request, status: status)
        if let retryAfter = behavior.retryAfterSeconds, status == 429 || status == 503 {
            response.headers = ["Retry-After": "\(retryAfter)"]
        }
        return response
    }

    /// The answer to `request` with `status`; a 2xx `/v0/events` keeps its rows.
    func respond(_ request: HTTPRequest, status: Int) -> HTTPResponse {
        guard (200..<300).contains(status) else {
            return HTTPResponse(status: status, body: Array("{\"error\":\"simulated status \(status)\"}".utf8))
        }
        let (path, query) = Self.split(request.path)
        if path.hasSuffix("/v0/events"), let name = query["name"] {
            var body = request.body
            if request.headers.contains("Content-Encoding", token: "gzip") {
                do {
                    body = try Gzip.decompress(body)
                } catch {
                    return HTTPResponse(status: 400, body: Array("{\"error\":\"invalid gzip body\"}".utf8))
                }
            }
            let lines = body.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            state.withLock { s in
                if options.behavior.keepsEventBodies { s.bodies[name, default: []].append(body) }
                s.rows[name, default: 0] += lines
            }
            let code = query["wait"] == "true" ? 200 : 202
            let answer = options.eventsAnswer?(lines) ?? "{\"successful_rows\":\(lines),\"quarantined_rows\":0}"
            return HTTPResponse(status: code, body: Array(answer.utf8))
        }
        if path.hasSuffix("/v0/sql") {
            let sql = String(decoding: request.body, as: UTF8.self) + (query["q"] ?? "")
            if let from = sql.range(of: "FROM ") {
                let name = sql[from.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                let count = state.withLock { $0.rows[String(name), default: 0] }
                return HTTPResponse(status: 200, body: Array("{\"meta\":[{\"name\":\"n\",\"type\":\"UInt64\"}],\"data\":[{\"n\":\(count)}],\"rows\":1}".utf8))
            }
        }
        let rows = (0..<options.behavior.pipeRows).map { "{\"n\":\($0)}" }.joined(separator: ",")
        return HTTPResponse(status: 200, body: Array(("{\"meta\":[{\"name\":\"n\",\"type\":\"UInt64\"}],\"data\":[\(rows)],\"rows\":\(options.behavior.pipeRows),"
            + "\"statistics\":{\"elapsed\":0.000125,\"rows_read\":\(options.behavior.pipeRows),\"bytes_read\":\(options.behavior.pipeRows * 8)}}").utf8))
    }

    static func split(_ target: String) -> (String, [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return (String(target[..<mark]), query)
    }
}

/// A worker's connection to a `SimulatedTarget`.
final class SimulatedConnection: TargetConnection {
    let target: SimulatedTarget
    var resends = 0

    init(target: SimulatedTarget) {
        self.target = target
    }

    func send(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse {
        try target.exchange(request, timeout: timeout)
    }

    func close() {}
}
