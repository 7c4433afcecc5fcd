import Foundation
import StarlingDisk
import StarlingNet
import StarlingProject
import StarlingReport
import StarlingRun

/// `starling verify` (and `merge --target`): the checks of a distributed run, once, on its merged
/// results folder — against the project its shards' scenario served, as `run` chose it.
public enum MergedVerify {
    /// Settles and checks `folder`'s merged state against the target at `url`; rewrites the folder's
    /// summary and reports, and returns the summary.
    public static func execute(_ folder: ResultsFolder, url: String, token: String?, log: (String) -> Void) throws -> RunSummary {
        let state = try folder.readShardState()
        try state.requireComplete()
        var summary = try folder.readSummary()
        let project = ScenarioCatalog().project(for: try state.plan(shard: 0).scenario)
        let resolved = try TargetResolver.resolve(.url(url), token: token, local: LocalTarget.Options(project: project))
        defer { resolved.close() }
        let transport = SocketTransport(target: resolved.url)
        defer { transport.close() }
        let cancellation = RunCancellation()
        let signals = cancellation.installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }
        log("verifying \(state.scenario) (\(state.shardCount) shards, \(state.ledger.acknowledged.formatted()) events acknowledged) against \(resolved.url)")
        summary = try MergedCheck.run(state, summary: summary, transport: transport, token: resolved.token,
                                      pipes: try ProjectFolder(path: project).pipes, cancellation: cancellation)
        try folder.writeSummary(summary)
        try ReportWriter.writeAll(folder: folder)
        return summary
    }
}
