import COpenSSL
import Glibc
import Synchronization

/// How HTTPS connections check the server. Verification is on by default.
public struct TLSOptions: Sendable, Equatable {
    /// Verify the certificate chain and that it names the host. Turn off only for local tests.
    public var verifyPeer: Bool
    /// A PEM file of extra trusted certificates (e.g. a test's self-signed certificate), used in
    /// addition to the system's default verify paths.
    public var caFile: String?

    public init(verifyPeer: Bool = true, caFile: String? = nil) {
        self.verifyPeer = verifyPeer
        self.caFile = caFile
    }
}

/// An OpenSSL `SSL_CTX` shared by every HTTPS connection of a client (`SSL_CTX` is thread-safe
/// once configured; the mutex only guards its lifetime and `SSL_new`).
///
/// Creating one sets `SIGPIPE` to ignored for the process: OpenSSL writes with `write(2)`, and a
/// peer that closed must surface as an error, not kill the process.
public final class TLSContext: Sendable {
    public let options: TLSOptions
    private let context: Mutex<OpaquePointer>

    public init(options: TLSOptions = TLSOptions()) throws(TransportError) {
        signal(SIGPIPE, SIG_IGN)
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .tls(reason: "cannot create an OpenSSL context: \(TLSContext.lastErrorMessage())")
        }
        SSL_CTX_set_default_verify_paths(context)
        if let caFile = options.caFile, SSL_CTX_load_verify_locations(context, caFile, nil) != 1 {
            SSL_CTX_free(context)
            throw .tls(reason: "cannot load CA file \(caFile): \(TLSContext.lastErrorMessage())")
        }
        SSL_CTX_set_verify(context, options.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        self.options = options
        self.context = Mutex(context)
    }

    deinit {
        context.withLock { SSL_CTX_free($0) }
    }

    /// Runs the client handshake on a connected socket: SNI for host names, certificate and host
    /// name (or IP address) verification when `verifyPeer`.
    func handshake(on socket: Socket, host: String) throws(TransportError) -> TLSSession {
        guard let ssl = context.withLock({ SSL_new($0) }) else {
            throw .tls(reason: "cannot create a TLS session: \(TLSContext.lastErrorMessage())")
        }
        SSL_set_fd(ssl, socket.fd)
        let isIPAddress = TLSContext.isIPAddress(host)
        if !isIPAddress {
            _ = host.withCString { name in
                SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name),
                         UnsafeMutableRawPointer(mutating: name))
            }
        }
        if options.verifyPeer {
            let pinned = isIPAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
                : SSL_set1_host(ssl, host)
            guard pinned == 1 else {
                SSL_free(ssl)
                throw .tls(reason: "cannot set the expected host name \(host) for verification")
            }
        }
        ERR_clear_error()
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let error = TLSContext.handshakeError(ssl, result: result, host: host)
            SSL_free(ssl)
            throw error
        }
        return TLSSession(ssl: ssl)
    }

    private static func handshakeError(_ ssl: OpaquePointer, result: Int32, host: String) -> TransportError {
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verify))
            return .tls(reason: "certificate verification failed for \(host): \(reason)")
        }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return .timeout(.tlsHandshake) }
        if code == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK) { return .timeout(.tlsHandshake) }
        let detail = lastErrorMessage()
        return .tls(reason: "handshake with \(host) failed: \(detail.isEmpty ? "the server closed the connection" : detail)")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, host, &storage) == 1 || inet_pton(AF_INET6, host, &storage) == 1
    }

    /// The oldest queued OpenSSL error as text, clearing the queue.
    static func lastErrorMessage() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
