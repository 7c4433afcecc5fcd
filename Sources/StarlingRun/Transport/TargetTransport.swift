import StarlingNet

/// How a run reaches its target: a connection of its own for each load worker, and pooled control
/// requests (settle counts, checks, freshness probes, truncation) from any thread. Production runs
/// use sockets (`SocketTransport`); engine tests use `SimulatedTarget` on a `VirtualClock`.
public protocol TargetTransport: Sendable {
    /// The target, for messages and summaries (never with a token).
    var target: TargetURL { get }
    /// A connection for one worker thread; it lives on that thread only.
    func makeConnection() -> any TargetConnection
    /// One request on a pooled connection; `timeout` caps each read and write when given.
    func send(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse
    /// Closes idle pooled connections.
    func close()
}

/// One worker's keep-alive connection.
public protocol TargetConnection: AnyObject {
    func send(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse
    /// Requests sent a second time on a fresh connection after the reused one closed before any
    /// answer byte (the server may have processed the first copy).
    var resends: Int { get }
    func close()
}

extension WorkerConnection: TargetConnection {}

/// Sockets: `WorkerConnection`s for the workers, an `HTTPClientPool` for control requests.
public struct SocketTransport: TargetTransport {
    public let target: TargetURL
    let workers: HTTPClientPool
    let control: HTTPClientPool

    public init(target: TargetURL, options: HTTPClientOptions = HTTPClientOptions()) {
        self.target = target
        workers = HTTPClientPool(options: options)
        var controlOptions = options
        controlOptions.readTimeout = .seconds(60)
        control = HTTPClientPool(options: controlOptions)
    }

    public func makeConnection() -> any TargetConnection {
        WorkerConnection(target: target, pool: workers)
    }

    public func send(_ request: HTTPRequest, timeout: Duration?) throws(TransportError) -> HTTPResponse {
        try control.send(request, to: target, timeout: timeout)
    }

    public func close() {
        workers.closeIdle()
        control.closeIdle()
    }
}
