import Foundation
import StarlingApp
import StarlingProject
import StarlingReport
import StarlingRun

enum VerifyCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "verify",
        line: "settle and check every pipe once for merged results",
        usage: "starling verify <merged results dir> [--target URL] [--token T]",
        summary: """
        The checks of a distributed run, once, on its merged results (starling merge): the events every
        shard sent are produced again from oracle-state.json (and must be the ones sent), the target must
        come to hold exactly the acknowledged rows (settle), then every pipe is asked for each checked
        combination and compared with the oracles fed all shards' events. Writes the checks, coverage,
        cost and thresholds into the folder's summary.json and re-renders its reports.
        """,
        arguments: [("<merged results dir>", "the folder `starling merge` wrote")],
        options: [
            .value(.target, "URL", "the target the shards sent to (default: the one in summary.json)"),
            .value(.token, "T", "token with READ scope (default: $TB_TOKEN). Never printed or written to results."),
        ],
        sections: [("EXIT CODES", exitCodesText)])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let path = try args.positionals(count: 1...1, names: "<merged results dir>")[0]
            let folder = try ResultsFolder(existing: path)
            let summary = try verify(folder, target: args.value(.target), token: args.value(.token))
            print(RunConsoleSummary.render(summary, folder: folder.path))
            return summary.verdict.exitCode
        }
    }

    /// Settles and checks `folder`'s merged state against the target; rewrites its summary and reports.
    static func verify(_ folder: ResultsFolder, target: String?, token: String?) throws -> RunSummary {
        let state = try folder.readShardState()
        try state.requireComplete()
        var summary = try folder.readSummary()
        let url = target ?? summary.target
        guard !url.contains(",") else {
            throw UsageError(verb: "verify", message: "the shards sent to several targets (\(url)): give the one to check with --target")
        }
        // The project the shards' scenario served and checked, as `run` chose it.
        let project = ScenarioCatalog().project(for: try state.plan(shard: 0).scenario)
        let resolved = try TargetResolver.resolve(.url(url), token: token, local: LocalTarget.Options(project: project))
        defer { resolved.close() }
        let transport = SocketTransport(target: resolved.url)
        defer { transport.close() }
        let cancellation = RunCancellation()
        let signals = cancellation.installSignalHandlers()
        defer { signals.forEach { $0.cancel() } }
        FileHandle.standardError.write(Data("starling: verifying \(state.scenario) (\(state.shardCount) shards, \(state.ledger.acknowledged.formatted()) events acknowledged) against \(resolved.url)\n".utf8))
        summary = try MergedCheck.run(state, summary: summary, transport: transport, token: resolved.token,
                                      pipes: try ProjectFolder(path: project).pipes, cancellation: cancellation)
        try folder.writeSummary(summary)
        try ReportWriter.writeAll(folder: folder)
        return summary
    }
}
