import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StarlingChecks
import StarlingJSON
import StarlingNet
import StarlingRun

/// The bundled local target, started by Starling's own launcher (`StarlingRun.LocalTarget`: the
/// token in its environment, a fresh data folder, stopped with SIGTERM) on `project`, with the
/// requests the differential tests make. Enabled when STARLING_PYTHON names the local target's venv
/// (`scripts/test` sets it).
final class CheckTarget: Sendable {
    static let python = ProcessInfo.processInfo.environment["STARLING_PYTHON"]
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let target: LocalTarget
    var base: String { target.url.description }
    var token: String { target.token }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the server and waits (at most 60 s) until it listens.
    init(project: URL) throws {
        var options = LocalTarget.Options(project: project.path)
        options.readyTimeout = 60
        do { target = try LocalTarget.start(options) } catch { throw Failure(description: "\(error)") }
    }

    func stop() { target.stop() }

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
