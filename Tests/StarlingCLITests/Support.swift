import Foundation
import FoundationNetworking
import Glibc
import StarlingNet
@testable import StarlingRun
import Synchronization
import Testing

/// A `starling` process run to its end (or stopped), with what it printed, its summary, its
/// results folder, its wall time and the highest resident memory seen while it ran.
struct StarlingRunResult {
    var status: Int32
    var output: String
    var errors: String
    var summary: [String: Any]
    var folder: URL
    var seconds: Double
    var peakRSSBytes: Int

    var ledger: [String: Int] { (summary["ingest"] as? [String: Any])?["ledger"] as? [String: Int] ?? [:] }
    var ingest: [String: Any] { summary["ingest"] as? [String: Any] ?? [:] }
    var stopReason: String? { (summary["stop"] as? [String: Any])?["reason"] as? String }

    /// The ledger balances: every generated event in exactly one bucket.
    var balanced: Bool {
        let l = ledger
        let buckets = ["acknowledged", "quarantined", "rejected", "failed", "not_sent"].map { l[$0] ?? 0 }.reduce(0, +)
        return l["generated"] != nil && buckets == l["generated"]
    }

    /// Lines in the dead letter (all datasources).
    var deadLetterLines: Int {
        let dir = folder.appendingPathComponent("deadletter")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0 != "batches.ndjson" }.reduce(0) { total, name in
            total + (((try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "").split(separator: "\n").count)
        }
    }
}

/// Runs `binary` with `arguments` (a `--out` folder is added when `out` is true), samples its RSS
/// every 100 ms, optionally sends `signal` after `signalAfter` seconds.
func runStarling(_ binary: String, _ arguments: [String], out: Bool = true, environment: [String: String]? = nil,
                 signal: Int32? = nil, signalAfter: Double = 0) throws -> StarlingRunResult {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-cli-\(UUID().uuidString)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments + (out ? ["--out", folder.path] : [])
    process.currentDirectoryURL = root
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let stdout = Pipe(), stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    let start = Date()
    try process.run()
    let pid = process.processIdentifier
    let peak = PeakMemory()
    let sampler = Thread {
        var sent = false
        while process.isRunning {
            peak.sample(pid: pid)
            if let signal, !sent, Date().timeIntervalSince(start) >= signalAfter {
                kill(pid, signal)
                sent = true
            }
            usleep(100_000)
        }
    }
    sampler.start()
    let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    var summary: [String: Any] = [:]
    if let data = FileManager.default.contents(atPath: folder.appendingPathComponent("summary.json").path) {
        summary = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
    return StarlingRunResult(status: process.terminationStatus, output: output, errors: errors, summary: summary,
                             folder: folder, seconds: seconds, peakRSSBytes: peak.bytes)
}

/// The highest `VmRSS` seen of a process.
final class PeakMemory: Sendable {
    private let peak = Mutex(0)

    func sample(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return }
        peak.withLock { $0 = max($0, kb * 1024) }
    }

    var bytes: Int { peak.withLock { $0 } }
}

/// The local target run by hand (as a user would run Tinybird Local), started by the one launcher
/// (`LocalTarget`): its own data folder, a known token, killable with SIGKILL and restartable on
/// the same data.
final class LocalTargetProcess {
    let data: URL
    let token: String
    let extra: [String]
    private(set) var target: LocalTarget?
    var url: String { target?.url.description ?? "" }
    var pid: Int32 { target?.process.processIdentifier ?? 0 }

    init(token: String = "tok_\(UUID().uuidString.prefix(8))", extra: [String] = []) {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("starling-target-\(UUID().uuidString)")
        self.token = token
        self.extra = extra
    }

    /// Starts it (again, after `kill9`, on the same data).
    func start() throws {
        var options = LocalTarget.Options(project: root.appendingPathComponent("scenarios/tinybird").path)
        options.dataDirectory = data.path
        options.token = token
        options.extraArguments = extra
        options.readyTimeout = 120
        target = try LocalTarget.start(options)
    }

    func kill9() { target?.killAbruptly() }

    func stop() { target?.stop() }

    /// `SELECT …` through the SQL API, the first row's first value.
    func scalar(_ sql: String) throws -> String {
        var components = URLComponents(string: url + "/v0/sql")!
        components.queryItems = [URLQueryItem(name: "q", value: sql + " FORMAT TSV"), URLQueryItem(name: "token", value: token)]
        let data = try Data(contentsOf: components.url!)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: data)
    }
}


/// A scenario file in a temporary folder.
func scenarioFile(_ json: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-scenario-\(UUID().uuidString).json")
    try Data(json.utf8).write(to: url)
    return url
}
