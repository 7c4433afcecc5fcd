/// One keep-alive connection owned by one worker thread of a load run: nothing is shared with the
/// other workers but the TLS context. (An `HTTPClientPool` takes its shared lock three times per
/// request; with 40 worker threads at 20k requests/s that lock was 40 % of the CPU profile.)
///
/// The replay rule is the pool's: a request on a reused connection that fails with
/// `.connectionClosed` (no byte of the response arrived — the server closed it while idle) is sent
/// once more on a fresh connection, and counted in `resends`: the server may have read and
/// processed it before closing, so the caller decides whether that resend could duplicate
/// something. Any other failure closes the connection and is thrown.
/// Not `Sendable`: create it on the thread that uses it.
public final class WorkerConnection {
    public let target: TargetURL
    let endpoint: TargetURL
    let pool: HTTPClientPool
    var connection: HTTPConnection?
    /// Requests sent a second time after a reused connection closed before answering.
    public private(set) var resends = 0

    /// `pool` supplies the options and the shared TLS context.
    public init(target: TargetURL, pool: HTTPClientPool) {
        self.target = target
        endpoint = TargetURL(scheme: target.scheme, host: target.host, port: target.port)
        self.pool = pool
    }

    /// Sends `request` (path relative to the target's base path) and returns the whole response.
    /// `timeout` bounds each read and write of this exchange when shorter than the options' own.
    public func send(_ request: HTTPRequest, timeout: Duration? = nil) throws(TransportError) -> HTTPResponse {
        var request = request
        request.path = target.basePath + request.path
        let reused = connection != nil
        let current: HTTPConnection
        if let connection { current = connection } else { current = try open() }
        do throws(TransportError) {
            return try exchange(request, on: current, timeout: timeout)
        } catch .connectionClosed where reused {
            resends += 1
            return try exchange(request, on: try open(), timeout: timeout)
        }
    }

    public func close() {
        connection?.close()
        connection = nil
    }

    deinit { close() }

    private func open() throws(TransportError) -> HTTPConnection {
        let context = endpoint.scheme == .https ? try pool.sharedTLSContext() : nil
        let fresh = try HTTPConnection(to: endpoint, options: pool.options, tlsContext: context)
        connection = fresh
        return fresh
    }

    private func exchange(_ request: HTTPRequest, on current: HTTPConnection, timeout: Duration?) throws(TransportError) -> HTTPResponse {
        do {
            let response = try current.send(request, timeout: timeout)
            if !response.keepAlive || !current.isOpen { close() }
            return response
        } catch {
            close()
            throw error
        }
    }
}
