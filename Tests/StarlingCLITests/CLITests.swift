import Foundation
import Testing

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `starling` executable built next to these tests.
func starlingBinary() throws -> String {
    for configuration in ["debug", "release"] {
        let path = root.appendingPathComponent(".build/\(configuration)/starling").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw CLIError.notBuilt
}

enum CLIError: Error { case notBuilt }

func starling(_ arguments: String...) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try starlingBinary())
    process.arguments = arguments
    process.currentDirectoryURL = root
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

@Suite(.timeLimit(.minutes(2))) struct CLITests {
    @Test(arguments: ["generate", "scenarios", "bench"])
    func everyVerbHasHelp(verb: String) throws {
        let viaFlag = try starling(verb, "--help")
        #expect(viaFlag.status == 0)
        #expect(viaFlag.output.contains("USAGE: starling \(verb)"))
        let viaHelp = try starling("help", verb)
        #expect(viaHelp.output == viaFlag.output)
    }

    @Test func unknownVerbAndOptionAreUsageErrors() throws {
        let verb = try starling("frobnicate")
        #expect(verb.status == 1)
        #expect(verb.error.contains("unknown command 'frobnicate'"))
        let option = try starling("generate", "ci-smoke", "--evnts", "5")
        #expect(option.status == 1)
        #expect(option.error.contains("unknown option --evnts"))
        let bad = try starling("generate", "ci-smoke", "--shard", "4/4")
        #expect(bad.status == 1)
        #expect(bad.error.contains("--shard 4/4: expected"))
    }

    @Test func generateToStandardOutputIsReproducible() throws {
        let a = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--out", "-")
        let b = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--out", "-")
        #expect(a.status == 0)
        #expect(a.output == b.output)
        #expect(a.output.split(separator: "\n").count == 300)
        #expect(a.error.isEmpty, "quiet when stderr is not a terminal")
        let reseeded = try starling("generate", "ci-smoke", "--datasource", "ecommerce_events", "--events", "900", "--seed", "8", "--out", "-")
        #expect(reseeded.output != a.output)
    }

    @Test func badScenarioNamesTheJSONPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-cli-\(UUID().uuidString).json")
        try Data(#"{"format": 1, "datasources": {"store_visits": {"stores": -3}}}"#.utf8).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try starling("generate", dir.path, "--out", "-")
        #expect(result.status == 1)
        #expect(result.error.contains("$.datasources.store_visits.stores: expected an integer"))
    }

    @Test func scenariosListsTheBuiltIns() throws {
        let result = try starling("scenarios")
        #expect(result.status == 0)
        for name in ["ci-smoke", "foot-traffic", "ecommerce", "customer-journey"] { #expect(result.output.contains(name)) }
    }
}

/// The release build, which the load benchmarks need (a debug build is ~20× slower and its own
/// slowness would show up in the latencies). `scripts/test` builds it first.
let releaseBinary = root.appendingPathComponent(".build/release/starling").path

@Suite(.timeLimit(.minutes(3))) struct OpenLoopAccuracyTests {
    /// A server stalling 1 s every 10 s at 1000 req/s (wrk2's model): Starling's open-loop
    /// percentiles must match the analytic truth within 2 % — p99 and p99.9 relative to their value,
    /// p50 and p90 (which fall among unstalled requests, truth ≈ 0) within 2 % of the 1 s stall.
    /// The closed-loop measurement of the same server must miss the stall (the contrast).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary), "needs the release build (scripts/test makes it)"))
    func stalledServerPercentilesMatchTheAnalyticTruth() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: releaseBinary)
        process.arguments = ["bench", "stall", "--json"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let result = try JSONDecoder().decode([String: [String: Double]].self, from: data)
        let truth = try #require(result["truth"]), open = try #require(result["open_loop"]), closed = try #require(result["closed_loop"])
        #expect(open["count"] ?? 0 >= 24_900 && open["errors"] == 0)
        for p in ["p50.0", "p90.0", "p99.0", "p99.9"] {
            let expected = try #require(truth[p]), measured = try #require(open[p])
            let tolerance = expected > 0 ? 0.02 * expected : 20
            #expect(abs(measured - expected) <= tolerance, "\(p): measured \(measured) ms, truth \(expected) ms")
        }
        #expect((closed["p99.0"] ?? 1000) < 100, "closed loop hides the stall: p99 \(closed["p99.0"] ?? -1) ms")
    }
}
