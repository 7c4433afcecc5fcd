import Foundation
import Testing
@testable import StarlingNet

/// Not a unit test: a throughput measurement, run only with STARLING_BENCH=1, e.g.
/// `STARLING_BENCH=1 STARLING_BENCH_URL=http://127.0.0.1:8080/ swift test -c release --filter HTTPBenchTests`.
/// Without STARLING_BENCH_URL it measures against an in-process FakeTarget.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STARLING_BENCH"] == "1"))
struct HTTPBenchTests {
    @Test(.timeLimit(.minutes(1)))
    func closedLoopThroughput() throws {
        let environment = ProcessInfo.processInfo.environment
        let concurrency = Int(environment["STARLING_BENCH_CONCURRENCY"] ?? "") ?? 8
        let seconds = Int(environment["STARLING_BENCH_SECONDS"] ?? "") ?? 10
        var target: FakeTarget?
        let url: TargetURL
        if let text = environment["STARLING_BENCH_URL"] {
            url = try TargetURL(parsing: text)
        } else {
            target = try FakeTarget()
            url = target?.url ?? TargetURL(scheme: .http, host: "127.0.0.1")
        }
        defer { target?.stop() }
        let result = HTTPBench.run(url: url, concurrency: concurrency, duration: .seconds(seconds))
        print("HTTPBench \(url) c=\(concurrency): \(result)")
        #expect(result.requests > 0)
    }
}
