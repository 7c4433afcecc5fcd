import Testing
import StarlingJSON
@testable import StarlingNet

@Suite struct TinybirdAPITests {
    @Test func eventsRequestShape() {
        let plain = EventsRequest(datasource: "store visits", token: "tok", body: Array("{}\n".utf8)).httpRequest
        #expect(plain.method == .post)
        #expect(plain.path == "/v0/events?name=store%20visits")
        #expect(plain.headers["authorization"] == "Bearer tok")
        #expect(plain.headers["Content-Encoding"] == nil)
        let gzipped = EventsRequest(datasource: "ds", token: "tok", wait: true, body: [1, 2], isGzipped: true).httpRequest
        #expect(gzipped.path == "/v0/events?name=ds&wait=true")
        #expect(gzipped.headers["content-encoding"] == "gzip")
    }

    @Test func eventsResponseBodies() {
        #expect(EventsResponse(body: Array(#"{"successful_rows": 10, "quarantined_rows": 2}"#.utf8))
            == EventsResponse(successfulRows: 10, quarantinedRows: 2))
        #expect(EventsResponse(body: Array(#"{"error":"Invalid token"}"#.utf8)) == EventsResponse(error: "Invalid token"))
        #expect(EventsResponse(body: Array("<html>502</html>".utf8)).error == "unexpected response body: \"<html>502</html>\"")
        #expect(EventsResponse(body: Array("\u{1B}[31mred\r\n".utf8)).error == "unexpected response body: \"\\u001b[31mred\\r\\n\"")
        #expect(EventsResponse(body: []).error == "unexpected response body: (empty)")
    }

    /// The ledger believes an answer only when its counts can be: every row sent, written or
    /// quarantined, none negative.
    @Test func anAnswerAccountsForItsRowsOrNot() {
        #expect(EventsResponse(successfulRows: 8, quarantinedRows: 2).accounting(of: 10)! == (8, 2))
        #expect(EventsResponse(successfulRows: 10).accounting(of: 10)! == (10, 0))
        for answer in [EventsResponse(), EventsResponse(error: "unexpected response body: \"ok\""), EventsResponse(successfulRows: 0, quarantinedRows: 0),
                       EventsResponse(successfulRows: -5, quarantinedRows: 15), EventsResponse(successfulRows: 13), EventsResponse(successfulRows: 9, quarantinedRows: 2),
                       EventsResponse(successfulRows: 12, quarantinedRows: -2)] {
            #expect(answer.accounting(of: 10) == nil, "\(answer)")
        }
    }

    @Test func pipeRequestEncodesParametersAndSwitchesToPostWhenLong() {
        let short = PipeRequest(pipe: "top_products", parameters: [(name: "start", value: "2024-01-01 00:00:00"),
                                                                  (name: "tags", value: "a,b&c")], token: "t")
        let request = short.httpRequest
        #expect(request.method == .get)
        #expect(request.path == "/v0/pipes/top_products.json?start=2024-01-01%2000%3A00%3A00&tags=a%2Cb%26c")
        #expect(request.headers["Authorization"] == "Bearer t")

        let long = PipeRequest(pipe: "p", parameters: [(name: "ids", value: String(repeating: "x", count: 5000))], token: "t")
        let posted = long.httpRequest
        #expect(posted.method == .post)
        #expect(posted.path == "/v0/pipes/p.json")
        #expect(posted.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(posted.body.count == 5004)
        #expect(SQLRequest(sql: "SELECT 1 FORMAT JSON", token: "t").httpRequest.path == "/v0/sql?q=SELECT%201%20FORMAT%20JSON")
    }

    static let pipeBody = #"""
    {"meta":[{"name":"country","type":"String"},{"name":"event_count","type":"UInt64"}],
     "data":[{"country":"US","event_count":"18446744073709551615"},{"country":"Z\u00fcrich \"q\"","event_count":3}],
     "rows":2,"rows_before_limit_at_least":4,
     "statistics":{"elapsed":0.00091,"rows_read":5,"bytes_read":15}}
    """#

    @Test func pipeResponseParsesEverything() throws {
        let response = try PipeResponse(body: Array(Self.pipeBody.utf8))
        #expect(response.meta == [.init(name: "country", type: "String"), .init(name: "event_count", type: "UInt64")])
        #expect(response.statistics == PipeStatistics(rows: 2, elapsedSeconds: 0.00091, rowsRead: 5, bytesRead: 15))
        #expect(response.rowsBeforeLimitAtLeast == 4)
        #expect(response.data[0]["event_count"]?.uint64Value == UInt64.max)
        #expect(response.data[1]["country"] == .string("Zürich \"q\""))
        #expect(response.data[1]["event_count"]?.int64Value == 3)
    }

    @Test func statisticsScanMatchesFullParse() throws {
        #expect(PipeStatistics.scan(Array(Self.pipeBody.utf8))
            == PipeStatistics(rows: 2, elapsedSeconds: 0.00091, rowsRead: 5, bytesRead: 15))
        #expect(PipeStatistics.scan(Array(#"{"error":"x"}"#.utf8)) == nil)
    }

    @Test func pipeErrorsAreReported() {
        #expect(throws: PipeResponseError.serverError("Template Syntax Error")) {
            try PipeResponse(body: Array(#"{"error":"Template Syntax Error"}"#.utf8))
        }
        #expect(throws: PipeResponseError.missingField("data")) { try PipeResponse(body: Array("{}".utf8)) }
    }

    @Test(arguments: [
        ("[1, -2.5e3, true, false, null, \"\\ud83d\\ude00\\n\"]",
         JSONValue.array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("😀\n")])),
        (" {\"a\": {\"b\": []}} ", .object(["a": .object(["b": .array([])])])),
    ])
    func jsonValues(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: ["", "[1,]", "{\"a\" 1}", "tru", "\"open", "01x", "[1] 2", "-", "{\"a\":1,}"])
    func invalidJSON(text: String) {
        #expect(throws: JSONValueError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func jsonDescriptionRoundTrips() throws {
        let value = try JSONValue.parse(Array(#"{"b":[1,"x\ty"],"a":null}"#.utf8))
        #expect(value.description == #"{"a":null,"b":[1,"x\ty"]}"#)
        #expect(try JSONValue.parse(Array(value.description.utf8)) == value)
    }
}
