import StarlingJSON

/// The body of an Events API answer: `{"successful_rows": N, "quarantined_rows": M}` or `{"error": "…"}`.
public struct EventsResponse: Sendable, Equatable {
    public var successfulRows: Int?
    public var quarantinedRows: Int?
    /// The server's error message, or a note that the body was not the expected JSON.
    public var error: String?

    public init(successfulRows: Int? = nil, quarantinedRows: Int? = nil, error: String? = nil) {
        self.successfulRows = successfulRows
        self.quarantinedRows = quarantinedRows
        self.error = error
    }

    /// Never throws: a body that is not the expected JSON becomes an `error` quoting its start.
    public init(body: [UInt8]) {
        guard let json = try? JSONValue.parse(body), case .object = json else {
            let start = String(decoding: body.prefix(120), as: UTF8.self)
            self.init(error: "unexpected response body: \(start.isEmpty ? "(empty)" : start)")
            return
        }
        self.init(successfulRows: json["successful_rows"]?.int64Value.map { Int($0) },
                  quarantinedRows: json["quarantined_rows"]?.int64Value.map { Int($0) },
                  error: json["error"]?.stringValue)
    }
}
