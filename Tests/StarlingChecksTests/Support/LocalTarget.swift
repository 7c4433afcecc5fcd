import Foundation
import StarlingJSON

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StarlingChecks
import StarlingJSON

/// The bundled local target (scripts/local-target/server.py) run by the venv python named in
/// STARLING_PYTHON, on a loopback port chosen by the OS, serving `project`.
final class LocalTarget: Sendable {
    static let python = ProcessInfo.processInfo.environment["STARLING_PYTHON"]
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let process: Process
    let base: String
    let token = "checks-test-token"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the server and waits (at most 60 s) for its ready line.
    init(project: URL) throws {
        guard let python = Self.python else { throw Failure(description: "STARLING_PYTHON is not set") }
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("checks-ready-\(UUID().uuidString)")
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-u", Self.repository.appendingPathComponent("scripts/local-target/server.py").path,
            "--port", "0", "--project", project.path, "--token", token, "--ready-file", ready.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var line: String?
        for _ in 0..<600 where process.isRunning {
            if let text = try? String(contentsOf: ready, encoding: .utf8), text.contains("http") {
                line = text
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try? FileManager.default.removeItem(at: ready)
        guard let line, let range = line.range(of: "http://") else {
            process.terminate()
            throw Failure(description: "the local target did not become ready")
        }
        base = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server: SIGTERM, then SIGKILL if it has not exited within 15 s. (Polls rather than
    /// `waitUntilExit`, which spins a CPU on Linux.)
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<150 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
        guard let url = URL(string: base + path) else { throw Failure(description: "bad URL \(path)") }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func ingest(_ datasource: String, ndjson: [UInt8]) async throws {
        let (status, data) = try await request("POST", "/v0/events?name=\(datasource)&wait=true", body: Data(ndjson))
        guard status == 200 || status == 202 else {
            throw Failure(description: "ingest \(datasource): \(status) \(String(decoding: data, as: UTF8.self))")
        }
    }

    func truncate(_ datasource: String) async throws {
        let (status, _) = try await request("POST", "/v0/datasources/\(datasource)/truncate")
        guard status == 200 else { throw Failure(description: "truncate \(datasource): \(status)") }
    }

    /// The status and body of a pipe query.
    func get(_ pipe: String, _ parameters: PipeParameters) async throws -> (Int, Data) {
        var components = URLComponents()
        components.queryItems = parameters.sorted.map { URLQueryItem(name: $0.name, value: $0.value) }
        let query = components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? ""
        return try await request("GET", "/v0/pipes/\(pipe).json\(query)")
    }

    func query(_ pipe: String, _ parameters: PipeParameters) async throws -> [[String: JSONValue]] {
        let (status, data) = try await get(pipe, parameters)
        guard status == 200 else {
            throw Failure(description: "\(pipe)?\(parameters): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return try PipeRows.parse([UInt8](data))
    }

    /// Runs a read query through /v0/sql and returns its JSON rows.
    func sql(_ query: String) async throws -> [[String: JSONValue]] {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "q", value: query + " FORMAT JSON")]
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        let (status, data) = try await request("GET", "/v0/sql?" + encoded)
        guard status == 200 else { throw Failure(description: "sql: \(status) \(String(decoding: data, as: UTF8.self))") }
        return try PipeRows.parse([UInt8](data))
    }
}
