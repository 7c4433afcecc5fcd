import COpenSSL
import Glibc

/// One established TLS session over a blocking socket whose timeouts are set with `SO_RCVTIMEO`
/// and `SO_SNDTIMEO` (a timed-out read surfaces as `SSL_ERROR_WANT_READ`).
struct TLSSession {
    let ssl: OpaquePointer

    /// `SSL_read`; 0 means the peer closed (close_notify, EOF or reset).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        while true {
            ERR_clear_error()
            let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if count > 0 { return Int(count) }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_ZERO_RETURN:
                return 0
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                throw .timeout(.read)
            case SSL_ERROR_SYSCALL:
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout(.read) }
                return 0
            default:
                throw .tls(reason: "read failed: \(TLSContext.lastErrorMessage())")
            }
        }
    }

    /// `SSL_write` of every byte.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let count = SSL_write(ssl, bytes.baseAddress.map { $0 + offset }, Int32(clamping: bytes.count - offset))
            if count > 0 {
                offset += Int(count)
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                throw .timeout(.write)
            case SSL_ERROR_SYSCALL:
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout(.write) }
                throw .connectionClosed
            case SSL_ERROR_ZERO_RETURN:
                throw .connectionClosed
            default:
                throw .tls(reason: "write failed: \(TLSContext.lastErrorMessage())")
            }
        }
    }

    func free() {
        SSL_free(ssl)
    }
}
