import Foundation
import StarlingDisk
import StarlingProject
import StarlingRun
import Testing

/// The checkout this test file lives in.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The python of the local target's venv, when the test script provided it (`scripts/test` does).
let referencePython = ProcessInfo.processInfo.environment["STARLING_PYTHON"]

/// A fresh temporary directory, removed by the caller with `removeItem`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a program to completion and returns its exit status and standard output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

/// The seed project's pipe specs (`scenarios/tinybird`).
func seedPipes() throws -> [String: PipeSpec] {
    try ProjectFolder(path: repositoryRoot.appendingPathComponent("scenarios/tinybird").path).pipes
}
