/// `GET /v0/pipes/<pipe>.<format>?<params>`; switches to `POST` with the parameters as a form body
/// when the path and query would exceed `maxURLLength` (4096) characters, as Tinybird's SDKs do.
public struct PipeRequest: Sendable, CustomStringConvertible {
    public static let maxURLLength = 4096

    public var pipe: String
    public var format: String
    public var parameters: [(name: String, value: String)]
    public var token: String
    /// The largest answer body accepted (nil: the connection's limit).
    public var maxAnswerBytes: Int?

    public init(pipe: String, format: String = "json", parameters: [(name: String, value: String)] = [],
                token: String, maxAnswerBytes: Int? = nil) {
        self.pipe = pipe
        self.format = format
        self.parameters = parameters
        self.token = token
        self.maxAnswerBytes = maxAnswerBytes
    }

    public var httpRequest: HTTPRequest {
        let path = "/v0/pipes/\(QueryString.encodeComponent(pipe)).\(QueryString.encodeComponent(format))"
        var request = PipeRequest.getOrPost(path: path, parameters: parameters, token: token)
        request.maxResponseBodyBytes = maxAnswerBytes
        return request
    }

    public var description: String {
        let shown = shownParameters
        return "pipe \(pipe).\(format)\(shown.isEmpty ? "" : "?" + shown) (token <redacted>)"
    }

    /// The parameters as `name=value&…`, unencoded, for people to read.
    public var shownParameters: String {
        parameters.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    static func getOrPost(path: String, parameters: [(name: String, value: String)], token: String) -> HTTPRequest {
        var headers = QueryString.bearer(token)
        let query = QueryString.encode(parameters)
        guard !query.isEmpty else { return HTTPRequest(method: .get, path: path, headers: headers) }
        let url = "\(path)?\(query)"
        if url.utf8.count <= maxURLLength { return HTTPRequest(method: .get, path: url, headers: headers) }
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        return HTTPRequest(method: .post, path: path, headers: headers, body: Array(query.utf8))
    }
}
