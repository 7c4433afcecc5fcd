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
