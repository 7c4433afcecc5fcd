/// A complete HTTP response: status, headers and the (de-chunked) body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    /// The body as received, after chunked decoding but before any `Content-Encoding` decoding.
    public var body: [UInt8]
    /// Whether the connection may carry another request after this response.
    public var keepAlive: Bool

    public init(status: Int, reason: String = "", headers: HTTPHeaders = [:], body: [UInt8] = [],
                keepAlive: Bool = true) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded according to `Content-Encoding` (gzip or identity).
    public func decodedBody() throws(GzipError) -> [UInt8] {
        headers.contains("Content-Encoding", token: "gzip") ? try Gzip.decompress(body) : body
    }

    /// The body as UTF-8 text (invalid sequences replaced), for messages and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
