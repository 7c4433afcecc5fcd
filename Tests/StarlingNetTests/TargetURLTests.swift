import Glibc
import Testing
@testable import StarlingNet

@Suite struct TargetURLTests {
    @Test(arguments: [
        ("http://localhost:7181", TargetURL.Scheme.http, "localhost", 7181, ""),
        ("https://api.tinybird.co", .https, "api.tinybird.co", 443, ""),
        ("http://example.com", .http, "example.com", 80, ""),
        ("http://[::1]:8080/prefix/", .http, "::1", 8080, "/prefix"),
        ("HTTPS://[2001:db8::1]/a/b", .https, "2001:db8::1", 443, "/a/b"),
        ("http://127.0.0.1:9/", .http, "127.0.0.1", 9, ""),
    ])
    func parses(text: String, scheme: TargetURL.Scheme, host: String, port: Int, basePath: String) throws {
        let url = try TargetURL(parsing: text)
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.basePath == basePath)
    }

    @Test(arguments: [
        ("localhost:7181", TargetURLError.missingScheme("localhost:7181")),
        ("ftp://x", .unsupportedScheme("ftp")),
        ("http://x/?a=1", .hasQueryOrFragment("http://x/?a=1")),
        ("http://user:pw@x", .hasCredentials),
        ("http://x:0", .badPort("0")),
        ("http://x:http", .badPort("http")),
        ("http://[::1", .badHost("[::1")),
        ("http://::1:80", .badHost("::1:80")),
        ("http://:80", .missingHost("http://:80")),
        ("http://", .missingHost("http://")),
    ])
    func rejects(text: String, error: TargetURLError) {
        #expect(throws: error) { try TargetURL(parsing: text) }
    }

    @Test func hostHeaderOmitsDefaultPortAndBracketsIPv6() throws {
        #expect(try TargetURL(parsing: "https://api.tinybird.co").hostHeader == "api.tinybird.co")
        #expect(try TargetURL(parsing: "http://[::1]:7181").hostHeader == "[::1]:7181")
        #expect(try TargetURL(parsing: "http://[::1]:7181/x").description == "http://[::1]:7181/x")
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(TargetURLError.badHost("::1:80").description.contains("brackets"))
        #expect(TransportError.connectFailed(host: "127.0.0.1", port: 7181, errno: ECONNREFUSED).description
            == "cannot connect to 127.0.0.1:7181: Connection refused — is the target running?")
        #expect(TransportError.connectFailed(host: "::1", port: 80, errno: ECONNREFUSED).description.contains("[::1]:80"))
    }
}
