import Foundation
import Synchronization

/// A closed-loop maximum-throughput benchmark of the HTTP client, comparable to `wrk -cN`:
/// `concurrency` threads, each with its own keep-alive connection, sending `GET` as fast as the
/// responses come back. It measures the client's cost, not latency (closed loop hides stalls).
public enum HTTPBench {
    public struct Result: Sendable, Equatable, CustomStringConvertible {
        public var requests: Int
        public var errors: Int
        public var seconds: Double

        public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

        public var description: String {
            "\(requests) requests, \(errors) errors in \(String(format: "%.2f", seconds)) s = "
                + "\(String(format: "%.0f", requestsPerSecond)) req/s"
        }
    }

    /// Runs for `duration` against `url` (its base path is the request path, `/` when empty).
    /// A connection that fails is replaced; every failure counts as one error. Bounded by
    /// `duration` plus one read timeout.
    public static func run(url: TargetURL, concurrency: Int, duration: Duration,
                           options: HTTPClientOptions = HTTPClientOptions(readTimeout: .seconds(5))) -> Result {
        let endpoint = TargetURL(scheme: url.scheme, host: url.host, port: url.port)
        let request = HTTPRequest(method: .get, path: url.basePath.isEmpty ? "/" : url.basePath)
        let requests = Atomic<Int>(0)
        let errors = Atomic<Int>(0)
        let started = ContinuousClock.now
        let deadline = started + duration
        let group = DispatchGroup()
        for _ in 0..<max(1, concurrency) {
            group.enter()
            let thread = Thread {
                let (done, failed) = worker(endpoint: endpoint, request: request, options: options, until: deadline)
                requests.add(done, ordering: .relaxed)
                errors.add(failed, ordering: .relaxed)
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(requests: requests.load(ordering: .acquiring), errors: errors.load(ordering: .acquiring),
                      seconds: seconds)
    }

    private static func worker(endpoint: TargetURL, request: HTTPRequest, options: HTTPClientOptions,
                               until deadline: ContinuousClock.Instant) -> (requests: Int, errors: Int) {
        var done = 0
        var failed = 0
        var connection: HTTPConnection?
        var sinceClockCheck = 0
        while true {
            sinceClockCheck += 1
            if sinceClockCheck == 16 {
                sinceClockCheck = 0
                if ContinuousClock.now >= deadline { break }
            }
            do {
                let current: HTTPConnection
                if let connection, connection.isOpen {
                    current = connection
                } else {
                    guard ContinuousClock.now < deadline else { break }
                    current = try HTTPConnection(to: endpoint, options: options)
                    connection = current
                }
                let response = try current.send(request)
                if response.isSuccess { done += 1 } else { failed += 1 }
            } catch {
                failed += 1
                connection = nil
                if failed > 1000 && done == 0 { break }  // target unreachable: stop early
            }
        }
        return (done, failed)
    }
}
