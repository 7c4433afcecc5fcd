/// `GET /v0/sql?q=<SQL>`, or `POST` with a form body when the URL would be too long.
public struct SQLRequest: Sendable, CustomStringConvertible {
    public var sql: String
    public var token: String

    public init(sql: String, token: String) {
        self.sql = sql
        self.token = token
    }

    public var httpRequest: HTTPRequest {
        PipeRequest.getOrPost(path: "/v0/sql", parameters: [(name: "q", value: sql)], token: token)
    }

    public var description: String { "SQL \(sql.prefix(200)) (token <redacted>)" }
}
