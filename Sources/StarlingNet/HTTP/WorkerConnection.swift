/// One keep-alive connection owned by one worker thread of a load run: nothing is shared with the
/// other workers but the TLS context. (An `HTTPClientPool` takes its shared lock three times per
/// request; with 40 worker threads at 20k requests/s that lock was 40 % of the CPU profile.)
///
/// The replay rule is the pool's: a request on a reused connection that fails with
/// `.connectionClosed` (no byte of the response arrived — the server closed it while idle) is sent
/// once more on a fresh connection. Any other failure closes the connection and is thrown.
/// Not `Sendable`: create it on the thread that uses it.
public final class WorkerConnection {
    public let target: TargetURL
    let endpoint: TargetURL
    let pool: HTTPClientPool
    var connection: HTTPConnection?

    /// `pool` supplies the options and the shared TLS context.
    public init(target: TargetURL, pool: HTTPClientPool) {
        self.target = target
        endpoint = TargetURL(scheme: target.scheme, host: target.host, port: target.port)
        self.pool = pool
    }

    /// Sends `request` (path relative to the target's base path) and returns the whole response.
    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        var request = request
        request.path = target.basePath + request.path
        let reused = connection != nil
        let current: HTTPConnection
        if let connection { current = connection } else { current = try open() }
        do throws(TransportError) {
            return try exchange(request, on: current)
        } catch .connectionClosed where reused {
            return try exchange(request, on: try open())
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

    private func exchange(_ request: HTTPRequest, on current: HTTPConnection) throws(TransportError) -> HTTPResponse {
        do {
            let response = try current.send(request)
            if !response.keepAlive || !current.isOpen { close() }
            return response
        } catch {
            close()
            throw error
        }
    }
}
