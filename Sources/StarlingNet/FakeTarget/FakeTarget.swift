import Foundation
import Glibc
import Synchronization

/// A scriptable Tinybird-like HTTP/1.1 server on loopback, for tests and benchmarks.
///
/// Binds port 0 (the kernel picks; read `port`), serves each connection on its own thread with
/// keep-alive, and follows a `FakeTargetBehavior`: latency, periodic whole-server stalls, status
/// codes by sequence or weight, `Retry-After`, dropped connections. `/v0/events` answers
/// `{"successful_rows": N}` with N the NDJSON lines of the (possibly gzip) body. Counts requests,
/// connections and event rows for assertions. `stop()` closes everything and waits for its threads.
public final class FakeTarget: Sendable {
    public let host: String
    public let port: Int
    let behavior: FakeTargetBehavior
    let counters = FakeTargetCounters()
    let startedAt = ContinuousClock.now
    let listener: Int32
    /// Written to on stop; every wait in the server polls its read end, so stop interrupts them.
    let stopPipe: (read: Int32, write: Int32)
    let stopping = Atomic<Bool>(false)
    let openConnections = Mutex<Set<Int32>>([])
    let runningThreads = Atomic<Int>(0)

    /// Starts listening on `host` (127.0.0.1 or ::1), port 0.
    public init(behavior: FakeTargetBehavior = FakeTargetBehavior(), host: String = "127.0.0.1") throws(FakeTargetError) {
        self.behavior = behavior
        self.host = host
        (listener, port) = try FakeTarget.listen(host: host)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            Glibc.close(listener)
            throw .listen(errnoMessage(errno))
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        stopPipe = (fds[0], fds[1])
        spawn { [self] in acceptLoop() }
    }

    deinit {
        stop()
        Glibc.close(stopPipe.read)
        Glibc.close(stopPipe.write)
    }

    public var url: TargetURL { TargetURL(scheme: .http, host: host, port: port) }

    public var stats: FakeTargetStats { counters.snapshot() }

    /// Every `/v0/pipes/` request's path and query string, in arrival order (with `keepsPipeRequests`).
    public func pipeRequests() -> [String] {
        counters.pipeRequests.withLock { $0 }
    }

    /// Every NDJSON line of the acknowledged `/v0/events` requests (with `keepsEventBodies`).
    public func acknowledgedEventLines() -> [String] {
        counters.acknowledgedBodies.withLock { bodies in
            bodies.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        }
    }

    /// Stops accepting, closes every connection and waits (up to 5 s) for the server's threads.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(stopPipe.write, &byte, 1)
        openConnections.withLock { fds in for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) } }
        let deadline = ContinuousClock.now + .seconds(5)
        while runningThreads.load(ordering: .acquiring) > 0 && ContinuousClock.now < deadline {
            usleep(1000)
        }
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Sleeps for `duration` unless the server stops first. Returns false if it stopped.
    func pause(for duration: Duration) -> Bool {
        guard duration > .zero else { return !isStopping }
        let deadline = ContinuousClock.now + duration
        while !isStopping {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return true }
            var descriptor = pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, max(1, Socket.milliseconds(remaining)))
        }
        return false
    }

    func spawn(_ body: @escaping @Sendable () -> Void) {
        runningThreads.add(1, ordering: .acquiringAndReleasing)
        let thread = Thread { [self] in
            body()
            runningThreads.subtract(1, ordering: .acquiringAndReleasing)
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while !isStopping {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 2, 200) > 0, descriptors[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let registered = openConnections.withLock { fds -> Bool in
                guard !isStopping else { return false }
                fds.insert(client)
                return true
            }
            guard registered else {
                Glibc.close(client)
                break
            }
            counters.connections.add(1, ordering: .relaxed)
            spawn { [self] in
                serve(client)
                openConnections.withLock { _ = $0.remove(client) }
                Glibc.close(client)
            }
        }
    }

    /// A listening socket on `host` (an IP literal) and `port` (0: the kernel picks), and its port.
    static func listen(host: String, port requested: Int = 0) throws(FakeTargetError) -> (Int32, Int) {
        let isIPv6 = host.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .listen(errnoMessage(errno)) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(requested).bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { Glibc.close(fd); throw .badHost(host) }
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(requested).bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { Glibc.close(fd); throw .badHost(host) }
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else {
            let message = errnoMessage(errno)
            Glibc.close(fd)
            throw .listen(message)
        }
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = withUnsafeBytes(of: storage) { raw -> UInt16 in
            // sin_port and sin6_port share offset 2, in network byte order.
            UInt16(raw[2]) << 8 | UInt16(raw[3])
        }
        return (fd, Int(port))
    }
}

public enum FakeTargetError: Error, Equatable, Sendable, CustomStringConvertible {
    case listen(String)
    case badHost(String)

    public var description: String {
        switch self {
        case let .listen(message): return "fake target cannot listen: \(message)"
        case let .badHost(host): return "fake target host '\(host)' must be an IP literal such as 127.0.0.1 or ::1"
        }
    }
}
