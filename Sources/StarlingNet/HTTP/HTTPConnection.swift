import Synchronization

/// One HTTP/1.1 keep-alive connection over a blocking socket (plain or TLS).
///
/// Meant to be used by one thread at a time (a load worker owns its connection); the internal
/// mutex makes concurrent use safe but serialises it. Any error closes the connection: it is
/// never left in an unknown state. Request paths are relative to the target's base path.
public final class HTTPConnection: Sendable {
    public let target: TargetURL
    private let state: Mutex<ConnectionState>

    /// Connects to `target` (TCP, plus TLS for https, with a fresh TLS context unless one is given).
    public init(to target: TargetURL, options: HTTPClientOptions = HTTPClientOptions(),
                tlsContext: TLSContext? = nil) throws(TransportError) {
        let channel = try Channel.open(to: target, options: options, tlsContext: tlsContext)
        self.target = target
        self.state = Mutex(ConnectionState(channel: channel, hostHeader: target.hostHeader,
                                           basePath: target.basePath,
                                           maxBodyBytes: options.maxResponseBodyBytes,
                                           readTimeout: options.readTimeout, writeTimeout: options.writeTimeout))
    }

    deinit {
        close()
    }

    /// Sends `request` and reads the whole response. Throws `.connectionClosed` only when the peer
    /// closed before any response byte arrived (the request may be replayed if it is idempotent).
    ///
    /// The whole exchange — the response's head and body, however slowly they trickle in — is bounded
    /// by the options' read timeout, or by `timeout` when shorter (a run's drain deadline), so no
    /// request outlives it by more than a second. The socket's timeouts are changed only when the
    /// time left differs from them by a second or more, so a steady stream of requests costs no
    /// extra system calls.
    public func send(_ request: HTTPRequest, timeout: Duration? = nil) throws(TransportError) -> HTTPResponse {
        try state.withLock { (state) throws(TransportError) -> HTTPResponse in try state.exchange(request, timeout: timeout) }
    }

    /// Whether the connection can carry another request.
    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Responses completed on this connection.
    public var completedExchanges: Int { state.withLock { $0.completedExchanges } }

    public func close() {
        state.withLock { $0.close() }
    }
}

/// The mutable part of a connection: its channel and reused read and write buffers.
struct ConnectionState {
    let channel: Channel
    let hostHeader: String
    let basePath: String
    let maxBodyBytes: Int
    let readTimeout: Duration
    let writeTimeout: Duration
    /// The tighter timeout set on the socket for a deadline (nil: the options' own).
    private var appliedTimeout: Duration?
    private(set) var isOpen = true
    private(set) var completedExchanges = 0
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var readStart = 0
    private var readEnd = 0
    private var writeBuffer: [UInt8] = []

    init(channel: Channel, hostHeader: String, basePath: String, maxBodyBytes: Int, readTimeout: Duration, writeTimeout: Duration) {
        self.channel = channel
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.hostHeader = hostHeader
        self.basePath = basePath
        self.maxBodyBytes = maxBodyBytes
        writeBuffer.reserveCapacity(4096)
    }

    mutating func exchange(_ request: HTTPRequest, timeout: Duration? = nil) throws(TransportError) -> HTTPResponse {
        guard isOpen else { throw .connectionClosed }
        let bound = min(timeout ?? readTimeout, readTimeout)
        guard bound > .zero else { throw .timeout(.write) }
        setSocketTimeouts(bound)
        let deadline = ContinuousClock.now + bound
        do throws(TransportError) {
            try write(request)
            let response = try readResponse(for: request.method, maxBodyBytes: min(request.maxResponseBodyBytes ?? maxBodyBytes, maxBodyBytes), before: deadline)
            completedExchanges += 1
            if !response.keepAlive { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    /// Sets the socket's timeouts to `bound` when it differs from the current ones by a second or more.
    private mutating func setSocketTimeouts(_ bound: Duration) {
        let current = appliedTimeout ?? readTimeout
        guard bound + .seconds(1) <= current || bound >= current + .seconds(1) else { return }
        channel.setTimeouts(read: bound, write: min(bound, writeTimeout))
        appliedTimeout = bound
    }

    mutating func close() {
        guard isOpen else { return }
        isOpen = false
        channel.close()
    }

    private mutating func write(_ request: HTTPRequest) throws(TransportError) {
        writeBuffer.removeAll(keepingCapacity: true)
        var prefixed = request
        if !basePath.isEmpty { prefixed.path = basePath + request.path }
        let bodyInline = prefixed.serializeHead(host: hostHeader, into: &writeBuffer)
        let channel = self.channel
        try writeBuffer.withBytes { (bytes) throws(TransportError) in try channel.write(bytes) }
        if !bodyInline {
            try request.body.withBytes { (bytes) throws(TransportError) in try channel.write(bytes) }
        }
    }

    private mutating func readResponse(for method: HTTPRequest.Method, maxBodyBytes: Int, before deadline: ContinuousClock.Instant) throws(TransportError) -> HTTPResponse {
        var parser = HTTPResponseParser(requestMethod: method, maxBodyBytes: maxBodyBytes)
        var receivedAny = readStart < readEnd
        let channel = self.channel
        while true {
            if readStart < readEnd {
                let (start, end) = (readStart, readEnd)
                readStart += try readBuffer.withBytes { (bytes) throws(TransportError) -> Int in
                    try parser.consume(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                }
                if parser.isComplete { return parser.finishedResponse() }
            }
            // A server trickling its answer a byte at a time keeps every read short: the deadline
            // bounds them all, and each read waits no longer than the time left.
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw .timeout(.read) }
            setSocketTimeouts(left)
            makeRoomForRead()
            let end = readEnd
            let count = try readBuffer.withMutableBytes { (bytes) throws(TransportError) -> Int in
                try channel.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[end...]))
            }
            if count == 0 {
                guard receivedAny else { throw .connectionClosed }
                try parser.finishAtEndOfStream()
                var response = parser.finishedResponse()
                response.keepAlive = false
                return response
            }
            receivedAny = true
            readEnd += count
        }
    }

    /// Moves unparsed bytes to the front, and grows the buffer when a head fills it.
    private mutating func makeRoomForRead() {
        if readStart == readEnd {
            readStart = 0
            readEnd = 0
        } else if readStart > 0 {
            let (start, pending) = (readStart, readEnd - readStart)
            readBuffer.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                base.copyMemory(from: base + start, byteCount: pending)
            }
            readStart = 0
            readEnd = pending
        }
        if readEnd == readBuffer.count {
            readBuffer.append(contentsOf: repeatElement(0, count: readBuffer.count))
        }
    }
}
