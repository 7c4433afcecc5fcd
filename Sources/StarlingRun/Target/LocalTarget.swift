import Foundation
import Glibc
import StarlingNet

/// The bundled Tinybird-compatible target (`scripts/local-target/start`): started on a free
/// loopback port with the scenario's Tinybird project and a fresh data folder, stopped with SIGTERM
/// (it flushes every acknowledged row first). The one launcher: `run`, `ab`, `verify` and the tests
/// (which also restart one on its data after a SIGKILL) start it here.
public final class LocalTarget: Sendable {
    public let url: TargetURL
    public let token: String
    public let dataDirectory: String
    let process: Process
    /// Whether `stop` removes the data folder (a fresh one; a given one is the caller's).
    let removesData: Bool

    public struct Options: Sendable {
        public var project: String
        public var flushInterval: Double = 0
        /// Extra flags for the server (faults, rate limits…), passed through as they are.
        public var extraArguments: [String] = []
        public var readyTimeout: Double = 180
        /// The data folder: nil for a fresh one, removed when the target stops (or, should this
        /// process die first, by the target itself); a given one is kept, so a target started again
        /// on it finds what the last one stored.
        public var dataDirectory: String?
        /// The admin token: nil for a random one.
        public var token: String?

        public init(project: String) {
            self.project = project
        }
    }

    private init(url: TargetURL, token: String, dataDirectory: String, process: Process, removesData: Bool) {
        self.url = url
        self.token = token
        self.dataDirectory = dataDirectory
        self.process = process
        self.removesData = removesData
    }

    /// `scripts/local-target/start` under Starling's home (`StarlingHome`).
    public static func startScript() -> String? {
        StarlingHome.find("scripts/local-target/start", executable: true)
    }

    /// Where a fresh data folder goes: memory-backed `/dev/shm` when it is writable with at least
    /// 2 GiB free, else the temporary directory. ClickHouse writes every insert as a part of several
    /// files, and on this machine's ext4 an insert of a few rows cost 4-10 ms of CPU (inode
    /// allocation among recently deleted ones), on tmpfs 3-4 ms. A fresh folder is removed when the
    /// target stops either way; the local target's own default (no `--data`) follows the same rule.
    static func freshDataRoot() -> String {
        let shm = "/dev/shm"
        var stats = statvfs()
        if access(shm, W_OK | X_OK) == 0, statvfs(shm, &stats) == 0,
           Double(stats.f_bavail) * Double(stats.f_frsize) >= 2 * 1024 * 1024 * 1024 {
            return shm
        }
        return FileManager.default.temporaryDirectory.path
    }

    /// Starts the server and waits until it listens (the first start also creates its venv). An
    /// interrupt recorded in `cancellation` meanwhile stops the server and throws `.interrupted`.
    public static func start(_ options: Options, cancellation: RunCancellation? = nil) throws(TargetError) -> LocalTarget {
        guard let script = startScript() else { throw .localTargetMissing }
        let fresh = options.dataDirectory == nil
        let data = options.dataDirectory ?? freshDataRoot() + "/starling-target-\(UUID().uuidString)"
        let ready = data + ".ready"
        // A restart's ready file: the target writes it anew, and an old one would name the old port.
        if FileManager.default.fileExists(atPath: ready) {
            do { try FileManager.default.removeItem(atPath: ready) } catch {
                throw .localTargetFailed("cannot remove the previous ready file \(ready): \(error.localizedDescription)")
            }
        }
        var tokenBytes = [UInt8](repeating: 0, count: 16)
        for i in tokenBytes.indices { tokenBytes[i] = UInt8.random(in: 0...255) }
        let token = options.token ?? "local_" + tokenBytes.map { String($0, radix: 16) }.joined()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["--port", "0", "--host", "127.0.0.1", "--project", options.project, "--data", data,
                             "--ready-file", ready, "--flush-interval", "\(options.flushInterval)",
                             // If this process dies without stopping it (SIGKILL, a crash), the target
                             // stops by itself (and removes a fresh data folder).
                             "--parent-pid", "\(getpid())"] + (fresh ? ["--remove-data"] : []) + options.extraArguments
        // The token goes through the environment, never the command line (`ps` shows that).
        var environment = ProcessInfo.processInfo.environment
        environment["STARLING_TARGET_TOKEN"] = token
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch { throw .localTargetFailed("cannot run \(script): \(error)") }
        let deadline = Date().addingTimeInterval(options.readyTimeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8), text.hasSuffix("\n"),
               let url = try? TargetURL(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                try? FileManager.default.removeItem(atPath: ready)
                return LocalTarget(url: url, token: token, dataDirectory: data, process: process, removesData: fresh)
            }
            if case let .interrupted(signal)? = cancellation?.reason {
                stop(process, removing: fresh ? data : nil)
                try? FileManager.default.removeItem(atPath: ready)
                throw .interrupted(signal: signal)
            }
            if !process.isRunning {
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw .localTargetFailed(message.split(separator: "\n").last.map(String.init) ?? "exited with \(process.terminationStatus)")
            }
            usleep(50_000)
        }
        stop(process, removing: fresh ? data : nil)
        throw .localTargetFailed("not listening after \(Int(options.readyTimeout)) s")
    }

    /// SIGTERM, then wait (up to 30 s) for the flush and exit; a fresh data folder is removed.
    public func stop() {
        Self.stop(process, removing: removesData ? dataDirectory : nil)
    }

    /// SIGKILL, as a crash would: nothing flushed, the data folder left as it is (fault tests).
    func killAbruptly() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
    }

    static func stop(_ process: Process, removing dataDirectory: String?) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        guard let dataDirectory, FileManager.default.fileExists(atPath: dataDirectory) else { return }
        do {
            try FileManager.default.removeItem(atPath: dataDirectory)
        } catch {
            // Said, not swallowed: a data folder of the bundled ClickHouse left in the temporary
            // folder is the user's to remove (the run's results are not affected).
            FileHandle.standardError.write(Data("starling: the local target's data folder \(dataDirectory) could not be removed (\(error.localizedDescription)); remove it by hand\n".utf8))
        }
    }
}

/// Why a target could not be used.
public enum TargetError: Error, Equatable, CustomStringConvertible {
    case localTargetMissing
    case localTargetFailed(String)
    case unreachable(url: String, reason: String)
    case invalidURL(String, reason: String)
    case missingToken
    /// SIGINT or SIGTERM while the local target started (it was stopped).
    case interrupted(signal: String)
    /// The token (from `source`) holds a control character: sent in a header, a CR or LF would
    /// end it and start another.
    case invalidToken(source: String)
    case truncateFailed(datasource: String, reason: String)

    public var description: String {
        switch self {
        case .localTargetMissing:
            return "the local target (scripts/local-target/start) was not found; run from the Starling checkout or set STARLING_HOME"
        case .localTargetFailed(let reason):
            return "the local target did not start: \(reason)"
        case .unreachable(let url, let reason):
            return "target \(url) is unreachable: \(reason)"
        case .invalidURL(let text, let reason):
            return "--target \(text) is not a valid target URL: \(reason)"
        case .truncateFailed(let datasource, let reason):
            return "cannot truncate \(datasource) on the target: \(reason)"
        case .missingToken:
            return "no token for the target: pass --token or set TB_TOKEN (a token with APPEND and READ scopes)"
        case .interrupted(let signal):
            return "interrupted by \(signal) while the local target started; it was stopped, nothing was sent"
        case .invalidToken(let source):
            return "the token from \(source) contains a control character (a line break?): pass the token alone, without newlines or spaces around it"
        }
    }
}
