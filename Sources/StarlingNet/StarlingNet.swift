import CZlib
import COpenSSL

/// The zlib library version linked in, e.g. "1.2.13".
public func linkedZlibVersion() -> String { String(cString: zlibVersion()) }

/// The OpenSSL version linked in.
public func linkedOpenSSLVersion() -> String { String(cString: OpenSSL_version(0)) }
