/// Timeouts, limits and TLS settings shared by connections and pools.
public struct HTTPClientOptions: Sendable, Equatable {
    /// Bound on resolving plus TCP connect plus the TLS handshake.
    public var connectTimeout: Duration
    /// Longest wait for any single read (not the whole response).
    public var readTimeout: Duration
    /// Longest wait for any single write.
    public var writeTimeout: Duration
    /// Most connections a pool opens to one endpoint (in use plus idle).
    public var maxConnectionsPerEndpoint: Int
    /// Largest response body accepted; larger ones fail with `malformedResponse`.
    public var maxResponseBodyBytes: Int
    public var tls: TLSOptions

    public init(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30),
                writeTimeout: Duration = .seconds(30), maxConnectionsPerEndpoint: Int = 64,
                maxResponseBodyBytes: Int = 256 << 20, tls: TLSOptions = TLSOptions()) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.maxConnectionsPerEndpoint = max(1, maxConnectionsPerEndpoint)
        self.maxResponseBodyBytes = maxResponseBodyBytes
        self.tls = tls
    }
}

/// A plain or TLS byte stream over one socket.
enum Channel {
    case plain(Socket)
    case tls(Socket, TLSSession)

    /// Connects (and for https, handshakes) to `target`.
    static func open(to target: TargetURL, options: HTTPClientOptions,
                     tlsContext: TLSContext?) throws(TransportError) -> Channel {
        let socket = try Socket.connect(host: target.host, port: target.port, timeout: options.connectTimeout)
        guard target.scheme == .https else {
            socket.setTimeouts(read: options.readTimeout, write: options.writeTimeout)
            return .plain(socket)
        }
        do throws(TransportError) {
            let context: TLSContext
            if let tlsContext { context = tlsContext } else { context = try TLSContext(options: options.tls) }
            socket.setTimeouts(read: options.connectTimeout, write: options.connectTimeout)
            let session = try context.handshake(on: socket, host: target.host)
            socket.setTimeouts(read: options.readTimeout, write: options.writeTimeout)
            return .tls(socket, session)
        } catch {
            socket.close()
            throw error
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        switch self {
        case let .plain(socket): return try socket.read(into: buffer)
        case let .tls(_, session): return try session.read(into: buffer)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        switch self {
        case let .plain(socket): try socket.write(bytes)
        case let .tls(_, session): try session.write(bytes)
        }
    }

    /// Sets the socket's read and write timeouts (`SO_RCVTIMEO`, `SO_SNDTIMEO`).
    func setTimeouts(read: Duration, write: Duration) {
        switch self {
        case let .plain(socket), let .tls(socket, _): socket.setTimeouts(read: read, write: write)
        }
    }

    func close() {
        switch self {
        case let .plain(socket):
            socket.close()
        case let .tls(socket, session):
            session.free()
            socket.close()
        }
    }
}
