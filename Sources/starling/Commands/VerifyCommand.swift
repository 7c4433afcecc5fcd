import StarlingApp
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

    /// Settles and checks `folder`'s merged state (`MergedVerify`) against `target`, or the one its
    /// shards sent to.
    static func verify(_ folder: ResultsFolder, target: String?, token: String?) throws -> RunSummary {
        let url = try target ?? folder.readSummary().target
        guard !url.contains(",") else {
            throw UsageError(verb: "verify", message: "the shards sent to several targets (\(url)): give the one to check with --target")
        }
        return try MergedVerify.execute(folder, url: url, token: token) { printError($0) }
    }
}
