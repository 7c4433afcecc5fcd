import Foundation
import Glibc
import Testing
@testable import StarlingNet

/// `--metrics-listen`: one serving thread, so one client's request is bounded as a whole.
@Suite(.timeLimit(.minutes(1))) struct MetricsEndpointTests {
    /// A client sending a byte every half second holds the endpoint for at most its 2 s in all,
    /// not for as long as it trickles (a limit per read was reset by every byte).
    @Test func aTricklingClientDoesNotBlockTheScrape() throws {
        let endpoint = try MetricsEndpoint(address: "127.0.0.1:0") { "starling_up 1\n" }
        defer { endpoint.stop() }
        let slow = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // The trickling thread is waited for before its socket is closed: a descriptor closed under
        // it would be reused by a later test's connection, and the stray bytes sent into that.
        let trickled = DispatchSemaphore(value: 0)
        defer {
            _ = trickled.wait(timeout: .now() + 15)
            close(slow)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(endpoint.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(slow, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let trickle = Thread {
            defer { trickled.signal() }
            for byte in Array("GET /metrics HTTP/1.1\r\n".utf8).prefix(16) {
                var b = byte
                guard send(slow, &b, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                usleep(500_000)
            }
        }
        trickle.start()
        usleep(200_000)  // the trickling client is being served
        let began = ContinuousClock.now
        let response = try HTTPConnection(to: TargetURL(parsing: "http://127.0.0.1:\(endpoint.port)")).send(HTTPRequest(path: "/metrics"))
        let waited = ContinuousClock.now - began
        #expect(response.status == 200)
        // The trickle would last 8 s; the deadline ends it after 2 s.
        #expect(waited < .seconds(5), "the scrape waited \(waited)")
    }

    @Test func theUnspecifiedAddressIsKnownToListenEverywhere() throws {
        let everywhere = try MetricsEndpoint(address: "0.0.0.0:0") { "" }
        defer { everywhere.stop() }
        let loopback = try MetricsEndpoint(address: "127.0.0.1:0") { "" }
        defer { loopback.stop() }
        #expect(everywhere.listensOnEveryInterface && !loopback.listensOnEveryInterface)
    }
}
