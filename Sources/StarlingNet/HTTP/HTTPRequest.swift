/// An HTTP/1.1 request: method, path with query, headers and body.
///
/// `Host` and `Content-Length` are written by the connection; do not set them here.
/// `description` never shows credentials: `Authorization` values and `token=` query values are redacted.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public enum Method: String, Sendable {
        case get = "GET", head = "HEAD", post = "POST", put = "PUT", delete = "DELETE"
    }

    public var method: Method
    /// Path and query, starting with `/`, already percent-encoded.
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The largest answer body this request accepts (nil: the connection's limit); a larger or
    /// endless one fails the exchange rather than growing memory with it.
    public var maxResponseBodyBytes: Int?

    public init(method: Method = .get, path: String, headers: HTTPHeaders = [:], body: [UInt8] = [], maxResponseBodyBytes: Int? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }

    public var description: String {
        let head = "\(method.rawValue) \(HTTPRequest.redactingTokens(in: path))"
        let fields = headers.count == 0 ? "" : "\n\(headers)"
        return "\(head)\(fields)\n(\(body.count) body bytes)"
    }

    /// Replaces the value of any `token=` query parameter by `<redacted>`.
    static func redactingTokens(in path: String) -> String {
        guard let query = path.firstIndex(of: "?") else { return path }
        let pairs = path[path.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
        let redacted = pairs.map { $0.hasPrefix("token=") ? "token=<redacted>" : String($0) }
        return String(path[...query]) + redacted.joined(separator: "&")
    }
}

extension HTTPRequest {
    /// Bodies up to this size are copied next to the head so the request leaves in one `write`.
    static let inlineBodyLimit = 16 * 1024

    /// Appends the request head (and a small body) to `buffer`, which the connection reuses.
    /// Returns whether the body was appended; if not, the caller writes `body` separately.
    func serializeHead(host: String, into buffer: inout [UInt8]) -> Bool {
        buffer.append(contentsOf: method.rawValue.utf8)
        buffer.append(0x20)
        buffer.append(contentsOf: path.utf8)
        buffer.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        buffer.append(contentsOf: host.utf8)
        buffer.append(contentsOf: "\r\n".utf8)
        for field in headers {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        if !body.isEmpty || method == .post || method == .put {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(body.count, to: &buffer)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        buffer.append(contentsOf: "\r\n".utf8)
        guard body.count <= HTTPRequest.inlineBodyLimit else { return false }
        buffer.append(contentsOf: body)
        return true
    }
}

/// Appends the decimal digits of a non-negative integer without creating a `String`.
func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
    let value = max(value, 0)
    var divisor = 1
    while divisor <= value / 10 { divisor *= 10 }
    var rest = value
    repeat {
        buffer.append(UInt8(48 + rest / divisor))
        rest %= divisor
        divisor /= 10
    } while divisor > 0
}
