import Glibc

/// A connected, blocking TCP socket with `TCP_NODELAY` and kernel-enforced read/write timeouts.
///
/// Calls retry on `EINTR`; `write(_:)` loops over partial writes. Reads and writes time out through
/// `SO_RCVTIMEO`/`SO_SNDTIMEO`, so the hot path costs one syscall per read or write.
struct Socket {
    let fd: Int32

    /// Resolves `host` with `getaddrinfo` (IPv4 and IPv6) and connects to the first address that
    /// accepts, using a non-blocking `connect(2)` plus `poll(2)` bounded by `timeout` overall.
    static func connect(host: String, port: Int, timeout: Duration) throws(TransportError) -> Socket {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV  // no AI_ADDRCONFIG: it hides ::1 on hosts with loopback-only IPv6
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else { throw .resolve(host: host, message: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var lastError: TransportError = .resolve(host: host, message: "no addresses")
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            do {
                return try connect(info, deadline: deadline)
            } catch .timeout(let phase) {
                lastError = .timeout(phase)
            } catch let .connectFailed(_, _, code) {
                lastError = .connectFailed(host: host, port: port, errno: code)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(_ info: addrinfo, deadline: ContinuousClock.Instant) throws(TransportError) -> Socket {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed(host: "", port: 0, errno: errno) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var result = Glibc.connect(fd, info.ai_addr, info.ai_addrlen)
        if result != 0 && (errno == EINPROGRESS || errno == EINTR) {
            do {
                try Socket.poll(fd, events: Int16(POLLOUT), until: deadline, phase: .connect)
            } catch {
                Glibc.close(fd)
                throw error
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            errno = socketError
            result = socketError == 0 ? 0 : -1
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .connectFailed(host: "", port: 0, errno: code)
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return Socket(fd: fd)
    }

    /// Waits until `fd` is ready for `events`, retrying on `EINTR`, or throws `.timeout(phase)`.
    static func poll(_ fd: Int32, events: Int16, until deadline: ContinuousClock.Instant,
                     phase: TransportError.Phase) throws(TransportError) {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw .timeout(phase) }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = Glibc.poll(&descriptor, 1, milliseconds(remaining))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .connectFailed(host: "", port: 0, errno: errno) }
        }
    }

    /// Sets `SO_RCVTIMEO` and `SO_SNDTIMEO`; a blocked read or write then fails with `EAGAIN`.
    func setTimeouts(read: Duration, write: Duration) {
        var readValue = Socket.timeval(read)
        var writeValue = Socket.timeval(write)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &readValue, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &writeValue, socklen_t(MemoryLayout<timeval>.size))
    }

    /// `recv(2)` into `buffer`; 0 means the peer closed (a reset counts as a close).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timeout(.read)
            case ECONNRESET: return 0
            default: throw .socket(operation: "read", errno: errno)
            }
        }
    }

    /// `send(2)` of every byte (looping over partial writes, `MSG_NOSIGNAL` so a closed peer is an
    /// error, not a `SIGPIPE`).
    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let count = send(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timeout(.write)
            case EPIPE, ECONNRESET: throw .connectionClosed
            default: throw .socket(operation: "write", errno: errno)
            }
        }
    }

    func close() {
        Glibc.close(fd)
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(total, 0))
    }

    static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        var value = Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1 }  // zero would mean "no timeout"
        return value
    }
}
