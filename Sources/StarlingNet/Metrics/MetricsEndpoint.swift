import Foundation
import Glibc
import Synchronization

/// A minimal HTTP/1.1 server for Prometheus scrapes: `GET /metrics` answers the text that
/// `exposition` returns at that moment (`text/plain; version=0.0.4`), any other path 404. One
/// connection at a time on one thread, `Connection: close`: a scraper every few seconds, not load.
public final class MetricsEndpoint: Sendable {
    public let host: String
    public let port: Int
    let listener: Int32
    let exposition: @Sendable () -> String
    let stopping = Atomic<Bool>(false)
    let finished = Mutex<Bool>(false)

    /// Listens on `address` (`127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`; port 0 picks one).
    public init(address: String, exposition: @escaping @Sendable () -> String) throws(MetricsEndpointError) {
        guard let (host, port) = Self.parse(address) else { throw .badAddress(address) }
        self.host = host
        self.exposition = exposition
        do {
            (listener, self.port) = try FakeTarget.listen(host: host, port: port)
        } catch {
            throw .listen(address, error.description)
        }
        let thread = Thread { [self] in
            serveLoop()
            finished.withLock { $0 = true }
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    deinit { stop() }

    /// Bound to the unspecified address (`0.0.0.0`, `::`): reachable from every network.
    public var listensOnEveryInterface: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return v4.s_addr == 0 }
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { $0.allSatisfy { $0 == 0 } } }
        return false
    }

    /// How long one client may take to send its request and read the answer, in all: a client
    /// sending a byte now and then must not hold the one serving thread (a limit per read would).
    static let requestDeadline: Duration = .seconds(2)

    /// Stops accepting and waits (up to 1 s) for the serving thread.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let deadline = ContinuousClock.now + .seconds(1)
        while !finished.withLock({ $0 }) && ContinuousClock.now < deadline { usleep(1000) }
    }

    /// `host:port` with an IP literal host (IPv6 in brackets) and a port in 0…65535.
    static func parse(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr(), v6 = in6_addr()
        guard inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
        return (host, port)
    }

    private func serveLoop() {
        defer { Glibc.close(listener) }
        while !stopping.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            answer(client)
            Glibc.close(client)
        }
    }

    /// Waits until `client` is ready for `events` or the deadline passes (false).
    private static func ready(_ client: Int32, for events: Int32, before deadline: ContinuousClock.Instant) -> Bool {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return false }
        let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
        var descriptor = pollfd(fd: client, events: Int16(events), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// Reads the request head (at most 8 KiB) and writes one response, within `requestDeadline`.
    private func answer(_ client: Int32) {
        let deadline = ContinuousClock.now + Self.requestDeadline
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while head.count < 8192 {
            guard Self.ready(client, for: Int32(POLLIN), before: deadline) else { return }
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { return }
            head += buffer[..<n]
            if String(decoding: head, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let requestLine = String(decoding: head.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        let path = requestLine.count >= 2 ? requestLine[1].split(separator: "?").first.map(String.init) ?? "" : ""
        let (status, contentType, body): (String, String, String)
        if requestLine.first == "GET" || requestLine.first == "HEAD", path == "/metrics" {
            (status, contentType, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", exposition())
        } else {
            (status, contentType, body) = ("404 Not Found", "text/plain; charset=utf-8", "Starling serves its metrics at /metrics\n")
        }
        let bodyBytes = Array(body.utf8)
        var response = Array("HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n".utf8)
        if requestLine.first != "HEAD" { response += bodyBytes }
        var sent = 0
        while sent < response.count {
            guard Self.ready(client, for: Int32(POLLOUT), before: deadline) else { return }
            let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            guard n > 0 else { return }
            sent += n
        }
    }
}

public enum MetricsEndpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case badAddress(String)
    case listen(String, String)

    public var description: String {
        switch self {
        case .badAddress(let address):
            return "--metrics-listen \(address): expected IP:PORT, e.g. 127.0.0.1:9464 or [::1]:9464"
        case .listen(let address, let reason):
            return "--metrics-listen \(address): cannot listen (\(reason)); pick a free port or 127.0.0.1:0"
        }
    }
}
