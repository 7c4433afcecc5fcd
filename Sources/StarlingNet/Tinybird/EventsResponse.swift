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

    /// Where each of a batch's `events` rows went, when the answer says so: `successful_rows` and
    /// `quarantined_rows` (absent: 0), non-negative and adding up to the batch. Nil for an answer
    /// that is not JSON, lacks the counts, or gives counts no server could (negative, more or fewer
    /// rows than were sent): the ledger believes only what it can read.
    public func accounting(of events: Int) -> (written: Int, quarantined: Int)? {
        guard let written = successfulRows else { return nil }
        let quarantined = quarantinedRows ?? 0
        guard written >= 0, quarantined >= 0, written + quarantined == events else { return nil }
        return (written, quarantined)
    }

    /// Never throws: a body that is not the expected JSON becomes an `error` quoting its start.
    public init(body: [UInt8]) {
        guard let json = try? JSONValue.parse(body), case .object = json else {
            let start = String(decoding: body.prefix(120), as: UTF8.self)
            // Quoted: a server's bytes are shown, never let loose on a terminal.
            self.init(error: "unexpected response body: \(start.isEmpty ? "(empty)" : JSONValue.quoted(start))")
            return
        }
        self.init(successfulRows: json["successful_rows"]?.int64Value.map { Int($0) },
                  quarantinedRows: json["quarantined_rows"]?.int64Value.map { Int($0) },
                  error: json["error"]?.stringValue)
    }
}
