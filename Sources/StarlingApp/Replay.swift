import Foundation
import StarlingNet
import StarlingRun
import StarlingSim

/// `starling replay`: sends a results folder's dead letter again and writes the replay's own
/// ledger (`replay.json`) and dead letter to a folder of its own.
public enum Replay {
    /// `target`: a URL (default: the run's target from its summary). The output folder defaults to
    /// `<results>/replay-<UTC time>`.
    public static func execute(results path: String, target: String?, token: String?, out: String?,
                               log: @escaping @Sendable (String) -> Void) throws -> (ReplaySummary, ResultsFolder) {
        let source = try ResultsFolder(existing: path)
        let summary = try source.readSummary()
        let batches = try DeadLetterReplay.index(of: source)
        let url = target ?? summary.target
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ReplayError.needsURL(url)
        }
        let resolved = try TargetResolver.resolve(.url(url), token: token, local: LocalTarget.Options(project: ""))
        let transport = SocketTransport(target: resolved.url)
        defer { transport.close() }
        let output = try ResultsFolder.prepare(out ?? source.path + "/replay-" + utcStamp())
        var settings = ReplaySettings()
        settings.gzip = summary.ingest.gzip
        settings.wait = true  // a replay wants each batch confirmed, whatever the run did
        settings.maxInFlight = max(1, min(summary.ingest.maxInFlight, 8))
        log("replaying \(batches.reduce(0) { $0 + $1.lines }) events in \(batches.count) batches from \(source.deadLetterPath) to \(resolved.url) → \(output.path)")
        let cancellation = RunCancellation()
        let signals = cancellation.installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }
        let environment = RunEnvironment(transport: transport, cancellation: cancellation, folder: output, notice: log)
        let result = try DeadLetterReplay.run(from: source, token: resolved.token, settings: settings, environment: environment)
        try output.writeJSON(result, to: .replay)
        return (result, output)
    }

    static func utcStamp() -> String { UTCTime.folderStamp() }
}

public enum ReplayError: Error, CustomStringConvertible {
    case needsURL(String)

    public var description: String {
        switch self {
        case .needsURL(let target):
            return "the run's target \(target) cannot be replayed to: pass --target with the URL of the target (a local target's data is gone once it stops; start one on the same --data folder)"
        }
    }
}
