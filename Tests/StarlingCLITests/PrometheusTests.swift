import Foundation
import Glibc
import Testing

let prometheusBinary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// A real Prometheus server (Debian's `prometheus` package; `.ci/run` installs it) scrapes a short
/// run's `--metrics-listen` every second on loopback; its HTTP API must then hold the series, and
/// the request counter must equal the summary's count.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: prometheusBinary != nil,
                                                      "needs Debian's prometheus package (apt-get install prometheus; .ci/run installs it)"))
struct PrometheusTests {
    @Test func prometheusScrapesTheRunAndItsCounterEqualsTheSummary() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("starling-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let metricsPort = try freePort(), webPort = try freePort()
        let config = """
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
        scrape_configs:
          - job_name: starling
            static_configs:
              - targets: ['127.0.0.1:\(metricsPort)']
        """
        try Data(config.utf8).write(to: work.appendingPathComponent("prometheus.yml"))
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: try #require(prometheusBinary))
        prometheus.arguments = ["--config.file=\(work.path)/prometheus.yml", "--storage.tsdb.path=\(work.path)/data",
                                "--web.listen-address=127.0.0.1:\(webPort)"]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle.nullDevice
        try prometheus.run()
        defer { prometheus.terminate(); prometheus.waitUntilExit() }
        let api = "http://127.0.0.1:\(webPort)"
        let deadline = Date().addingTimeInterval(30)
        while (try? get("\(api)/-/ready"))?.status != 200 {
            try #require(Date() < deadline, "prometheus did not become ready in 30 s")
            usleep(200_000)
        }

        let out = work.appendingPathComponent("run")
        let scenario = work.appendingPathComponent("scenario.json")
        try Data(#"{"format": 1, "name": "scraped", "datasources": {"ecommerce_events": {}}, "run": {"ingest": {"rate": 300}, "queries": [{"pipe": "top_products", "rate": 5}]}}"#.utf8).write(to: scenario)
        let result = try starling(["run", scenario.path, "--target", "fake", "--duration", "6s", "--no-progress", "--out", out.path,
                                   "--metrics-listen", "127.0.0.1:\(metricsPort)", "--metrics-linger", "4s"])
        #expect(result.status == 0, "\(result.error)")
        let summaryData = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        let ingest = try #require((summary["streams"] as? [String: Any])?["ingest"] as? [String: Any])
        let expected = (ingest["count"] as? Int ?? -1) + (ingest["errors"] as? Int ?? 0)
        #expect(expected > 0)

        let requests = try query(api, #"starling_requests_total{stream="ingest"}"#)
        #expect(requests.first == Double(expected), "Prometheus holds \(requests), the summary \(expected)")
        let acknowledged = try query(api, #"starling_events_total{bucket="acknowledged"}"#)
        let ledger = try #require((summary["ingest"] as? [String: Any])?["ledger"] as? [String: Any])
        #expect(acknowledged.first == Double(ledger["acknowledged"] as? Int ?? -1))
        for series in [#"starling_request_latency_seconds_bucket{stream="ingest",le="+Inf"}"#,
                       #"starling_request_latency_quantile_seconds{stream="ingest",quantile="0.99"}"#,
                       #"starling_schedule_lag_quantile_seconds{stream="ingest",quantile="0.99"}"#,
                       "starling_offered_rate_events_per_second", "starling_achieved_rate_events_per_second"] {
            #expect(try !query(api, series).isEmpty, "no series \(series) in Prometheus")
        }
        // The token never reaches the exposition (the fake target's token is a fixed test value).
        let raw = try get("\(api)/api/v1/label/__name__/values").body
        #expect(!raw.contains("token"))
    }

    /// The values of an instant query's result vector.
    func query(_ api: String, _ promql: String) throws -> [Double] {
        var components = URLComponents(string: "\(api)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        // A form-encoded "+" would arrive as a space (le="+Inf").
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let body = try get(components.url!.absoluteString).body
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let result = (json?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.compactMap { ($0["value"] as? [Any])?.last as? String }.compactMap(Double.init)
    }

    /// A GET on loopback with curl-free Foundation networking is not available everywhere on Linux;
    /// a plain socket request keeps the test's needs to Glibc.
    func get(_ url: String) throws -> (status: Int, body: String) {
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else { throw TestFailure("bad url \(url)") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("cannot connect to \(url)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let path = parsed.path + (parsed.query.map { "?" + $0 } ?? "")
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP answer from \(url)") }
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        var body = String(text[headEnd.upperBound...])
        if text[..<headEnd.lowerBound].lowercased().contains("transfer-encoding: chunked") { body = Self.unchunk(body) }
        return (status, body)
    }

    static func unchunk(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let line = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 else { break }
            let start = line.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }

    /// A loopback port nobody listens on now.
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
