import Dispatch
import Synchronization

/// Keep-alive connections shared by threads, keyed by endpoint (scheme, host, port).
///
/// At most `maxConnectionsPerEndpoint` connections per endpoint exist at once; a caller beyond that
/// waits up to `connectTimeout` (then `.timeout(.poolWait)`). A connection that fails is closed and
/// dropped; one whose response said `Connection: close` is not reused.
///
/// **Replay rule.** A request sent on a *reused* connection that fails with `.connectionClosed` —
/// the server closed the connection before any byte of the response arrived, which is the normal
/// race with a server closing idle keep-alive connections — is sent once more on a fresh connection.
/// Nothing of the response was seen, so the server either never read the request or failed before
/// answering; replaying is safe for idempotent requests and for Tinybird's Events API, which
/// de-duplicates identical payloads. Any other failure, or a second failure, is thrown.
public final class HTTPClientPool: Sendable {
    public let options: HTTPClientOptions
    private let endpoints = Mutex<[TargetURL: EndpointState]>([:])
    private let tlsContext = Mutex<TLSContext?>(nil)
    private let opened = Atomic<Int>(0)
    private let replays = Atomic<Int>(0)

    public init(options: HTTPClientOptions = HTTPClientOptions()) {
        self.options = options
    }

    /// Connections opened so far (a measure of reuse).
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }
    /// Requests replayed on a fresh connection after an idle-close race.
    public var replayedRequests: Int { replays.load(ordering: .relaxed) }

    /// Sends `request` (path relative to `target`'s base path) and returns the complete response.
    public func send(_ request: HTTPRequest, to target: TargetURL, timeout: Duration? = nil) throws(TransportError) -> HTTPResponse {
        let endpoint = TargetURL(scheme: target.scheme, host: target.host, port: target.port)
        var request = request
        request.path = target.basePath + request.path
        let permits = permitsFor(endpoint)
        guard permits.wait(timeout: .now() + .nanoseconds(Int(options.connectTimeout.nanoseconds))) == .success else {
            throw .timeout(.poolWait)
        }
        defer { permits.signal() }

        let idle = takeIdle(endpoint)
        let connection: HTTPConnection
        if let idle { connection = idle } else { connection = try openConnection(to: endpoint) }
        do throws(TransportError) {
            let response = try connection.send(request, timeout: timeout)
            putBack(connection, endpoint: endpoint)
            return response
        } catch .connectionClosed where idle != nil {
            replays.add(1, ordering: .relaxed)
            let fresh = try openConnection(to: endpoint)
            let response = try fresh.send(request, timeout: timeout)
            putBack(fresh, endpoint: endpoint)
            return response
        }
    }

    /// Closes every idle connection.
    public func closeIdle() {
        let idle = endpoints.withLock { states in
            let all = states.values.flatMap(\.idle)
            for key in states.keys { states[key]?.idle.removeAll() }
            return all
        }
        for connection in idle { connection.close() }
    }

    private func permitsFor(_ endpoint: TargetURL) -> DispatchSemaphore {
        endpoints.withLock { states in
            if let state = states[endpoint] { return state.permits }
            let state = EndpointState(permits: DispatchSemaphore(value: options.maxConnectionsPerEndpoint))
            states[endpoint] = state
            return state.permits
        }
    }

    private func takeIdle(_ endpoint: TargetURL) -> HTTPConnection? {
        endpoints.withLock { $0[endpoint]?.idle.popLast() }
    }

    private func putBack(_ connection: HTTPConnection, endpoint: TargetURL) {
        guard connection.isOpen else { return }
        endpoints.withLock { $0[endpoint]?.idle.append(connection) }
    }

    private func openConnection(to endpoint: TargetURL) throws(TransportError) -> HTTPConnection {
        let context = endpoint.scheme == .https ? try sharedTLSContext() : nil
        let connection = try HTTPConnection(to: endpoint, options: options, tlsContext: context)
        opened.add(1, ordering: .relaxed)
        return connection
    }

    func sharedTLSContext() throws(TransportError) -> TLSContext {
        if let context = tlsContext.withLock({ $0 }) { return context }
        let created = try TLSContext(options: options.tls)
        return tlsContext.withLock { existing in
            if let existing { return existing }
            existing = created
            return created
        }
    }
}

private struct EndpointState {
    let permits: DispatchSemaphore
    var idle: [HTTPConnection] = []
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
