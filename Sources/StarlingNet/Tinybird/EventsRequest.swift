/// `POST /v0/events?name=<datasource>[&wait=true]` with an NDJSON body, optionally gzip-compressed.
///
/// The token goes in the `Authorization: Bearer` header; `description` never shows it.
public struct EventsRequest: Sendable, CustomStringConvertible {
    public var datasource: String
    public var token: String
    public var wait: Bool
    /// The NDJSON bytes, or their gzip stream when `isGzipped`.
    public var body: [UInt8]
    public var isGzipped: Bool

    /// A request whose body is NDJSON (`ndjson`), or its gzip stream when `isGzipped`.
    public init(datasource: String, token: String, wait: Bool = false, body: [UInt8], isGzipped: Bool = false) {
        self.datasource = datasource
        self.token = token
        self.wait = wait
        self.body = body
        self.isGzipped = isGzipped
    }

    /// The path and query, e.g. `/v0/events?name=ecommerce_events&wait=true`.
    public var path: String {
        "/v0/events?name=\(QueryString.encodeComponent(datasource))\(wait ? "&wait=true" : "")"
    }

    /// An Events API answer is a few dozen bytes (`{"successful_rows": N, …}` or an error): a
    /// longer one is not an answer, and is not read past this.
    public static let maxAnswerBytes = 1 << 20

    public var httpRequest: HTTPRequest {
        var headers = QueryString.bearer(token)
        headers.add("Content-Type", "application/x-ndjson")
        if isGzipped { headers.add("Content-Encoding", "gzip") }
        return HTTPRequest(method: .post, path: path, headers: headers, body: body, maxResponseBodyBytes: Self.maxAnswerBytes)
    }

    public var description: String {
        "POST \(path) (\(body.count) bytes\(isGzipped ? ", gzip" : ""), token <redacted>)"
    }
}
