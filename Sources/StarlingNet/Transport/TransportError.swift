import Glibc

/// Everything that can go wrong between Starling and a target below the HTTP status code.
///
/// Messages say what happened and what to check, e.g.
/// `cannot connect to 127.0.0.1:7181: Connection refused — is the target running?`.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The phase of an exchange that ran out of time.
    public enum Phase: String, Sendable, Equatable {
        case connect, tlsHandshake = "TLS handshake", write, read, poolWait = "waiting for a pooled connection"
    }

    /// `getaddrinfo` could not resolve the host.
    case resolve(host: String, message: String)
    /// Every resolved address refused or failed the TCP connect (`errno` of the last one).
    case connectFailed(host: String, port: Int, errno: Int32)
    /// A connect, write or read did not complete within its timeout.
    case timeout(Phase)
    /// The peer closed the connection before any byte of the response arrived.
    /// On a reused keep-alive connection this is the idle-close race the pool retries once.
    case connectionClosed
    /// The response was not valid HTTP/1.x, or was cut short after it had started.
    case malformedResponse(reason: String)
    /// A socket call failed with an unexpected `errno` (not a timeout, reset or close).
    case socket(operation: String, errno: Int32)
    /// TLS setup, handshake or certificate verification failed.
    case tls(reason: String)

    public var description: String {
        switch self {
        case let .resolve(host, message):
            return "cannot resolve host \(host): \(message) — check the URL's host name"
        case let .connectFailed(host, port, code):
            return "cannot connect to \(TargetURL.hostForDisplay(host)):\(port): \(errnoMessage(code)) — is the target running?"
        case let .timeout(phase):
            return "timed out during \(phase.rawValue) — the target is slow or unreachable; raise the timeout or check the target"
        case .connectionClosed:
            return "the target closed the connection before responding — it may have crashed, restarted or hit a limit"
        case let .malformedResponse(reason):
            return "malformed HTTP response: \(reason) — is the URL pointing at an HTTP API?"
        case let .socket(operation, code):
            return "\(operation) failed: \(errnoMessage(code)) (errno \(code))"
        case let .tls(reason):
            return "TLS error: \(reason) — check the https URL, the server certificate, or use http for a local target"
        }
    }

    /// Whether the request may have reached the server and been processed before this failure (the
    /// connection broke after the request was written): resending it may duplicate its effect.
    public var requestMayHaveBeenProcessed: Bool {
        switch self {
        case .connectionClosed, .malformedResponse, .timeout(.read), .socket: return true
        case .resolve, .connectFailed, .tls, .timeout: return false
        }
    }
}

/// The text of a C `errno` value, e.g. "Connection refused".
func errnoMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
