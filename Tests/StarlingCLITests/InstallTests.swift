import Foundation
import Testing

/// `scripts/install --prefix`: the binary finds its scenarios and local target relative to itself,
/// run from any folder with no Starling variable set.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: releaseBinary)
        && ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil, "needs the release build and the local target's venv"))
struct InstallTests {
    @Test func anInstalledBinaryRunsCISmokeFromAnotherFolder() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("starling-install-\(UUID().uuidString)")
        let prefix = base.appendingPathComponent("prefix"), elsewhere = base.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }

        let install = try run(root.appendingPathComponent("scripts/install").path, ["--prefix", prefix.path, "--binary", releaseBinary, "--reuse-venv"], in: root)
        #expect(install.status == 0, "\(install.output)")
        // Only what a shell has: no STARLING_HOME, STARLING_SCENARIOS or STARLING_PYTHON.
        let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        let listed = try run(prefix.appendingPathComponent("bin/starling").path, ["scenarios"], in: elsewhere, environment: environment)
        #expect(listed.status == 0 && listed.output.contains("ci-smoke"), "\(listed.output)")
        // ci-smoke as installed, shortened: the test is about finding the scenario, the project and
        // the local target from the prefix (its 20 s cost the suite 16 core-seconds for nothing more).
        let result = try run(prefix.appendingPathComponent("bin/starling").path,
                             ["run", "ci-smoke", "--duration", "5s", "--no-progress", "--out", elsewhere.appendingPathComponent("out").path],
                             in: elsewhere, environment: environment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("verdict: passed"), "\(result.output)")
    }

    /// Runs `executable` in `folder` with exactly `environment` (when given); stdout and stderr together.
    func run(_ executable: String, _ arguments: [String], in folder: URL, environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
