import Testing
@testable import StarlingNet

@Suite struct HTTPRequestTests {
    @Test func serializesHeadHostHeadersAndContentLength() {
        let request = HTTPRequest(method: .post, path: "/v0/events?name=ds", headers: ["X-A": "1"],
                                  body: Array("{}\n".utf8))
        var buffer: [UInt8] = Array("stale".utf8)
        buffer.removeAll(keepingCapacity: true)
        let inline = request.serializeHead(host: "localhost:7181", into: &buffer)
        #expect(inline)
        #expect(String(decoding: buffer, as: UTF8.self)
            == "POST /v0/events?name=ds HTTP/1.1\r\nHost: localhost:7181\r\nX-A: 1\r\nContent-Length: 3\r\n\r\n{}\n")
    }

    @Test func largeBodiesAreWrittenSeparately() {
        let request = HTTPRequest(method: .post, path: "/", body: [UInt8](repeating: 65, count: 100_000))
        var buffer: [UInt8] = []
        #expect(!request.serializeHead(host: "h", into: &buffer))
        #expect(String(decoding: buffer, as: UTF8.self).hasSuffix("Content-Length: 100000\r\n\r\n"))
    }

    @Test func getWithoutBodyHasNoContentLength() {
        var buffer: [UInt8] = []
        _ = HTTPRequest(path: "/x").serializeHead(host: "h", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
    }

    @Test func descriptionRedactsCredentials() {
        let request = HTTPRequest(path: "/v0/sql?q=1&token=p.secret", headers: ["authorization": "Bearer p.secret"])
        #expect(!request.description.contains("secret"))
        #expect(request.description.contains("token=<redacted>"))
        let events = EventsRequest(datasource: "ds", token: "p.secret", body: [1])
        #expect(!events.description.contains("secret"))
        #expect(!PipeRequest(pipe: "p", token: "p.secret").description.contains("secret"))
        #expect(!SQLRequest(sql: "SELECT 1", token: "p.secret").description.contains("secret"))
    }

    @Test func headersAreCaseInsensitive() {
        var headers: HTTPHeaders = ["Content-Type": "a", "connection": "Keep-Alive, Upgrade"]
        #expect(headers["content-type"] == "a")
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers.contains("Connection", token: "upgrade"))
        #expect(!headers.contains("Connection", token: "close"))
        headers.set("CONTENT-type", "b")
        #expect(headers.values("content-type") == ["b"])
        #expect(headers["missing"] == nil)
    }

    @Test(arguments: [0, 7, 10, 99, 100, 123_456_789])
    func decimalDigits(value: Int) {
        var buffer: [UInt8] = []
        appendDecimal(value, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == String(value))
    }
}
