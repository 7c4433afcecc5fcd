import Foundation
import StarlingApp
import StarlingReport
import StarlingRun

enum MergeCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "merge",
        line: "combine the shard folders of a distributed run into one (then verify it)",
        usage: "starling merge <shard results dir>… --out DIR [--target URL] [--token T]",
        summary: """
        Combines the results folders of every shard of one distributed run (starling run --shard i/n)
        into one, as if one machine had sent everything: histograms added at full resolution (counts
        exact), ledgers and counters summed, the shards' oracle-state.json merged, dead letters
        concatenated, reports rendered. A folder from another scenario, seed, duration, rate or shard
        count, a shard given twice or a missing shard is refused. With --target it then verifies
        (see 'starling help verify'): settle, and every pipe checked once.
        """,
        arguments: [("<shard results dir>…", "every shard's results folder")],
        options: [
            .value(.out, "DIR", "the merged results folder (required; an earlier run's files in it are replaced)"),
            .value(.target, "URL", "also verify the merged results against this target (the one the shards sent to)"),
            .value(.token, "T", "with --target: token with READ scope (default: $TB_TOKEN). Never printed or written to results."),
        ],
        sections: [("EXIT CODES", "0 merged (and, with --target, every check passed); 1 bad input (one line says which folder and why); 2 a check or threshold failed; 3 a shard's run was invalid.")])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let shards = try args.positionals(count: 1...100_000, names: "<shard results dir>…")
            guard let out = args.value(.out) else {
                throw UsageError(verb: "merge", message: "--out DIR is required: the folder for the merged results")
            }
            let log = { (message: String) in FileHandle.standardError.write(Data("starling: \(message)\n".utf8)) }
            var (summary, state, folder) = try ShardMerge.execute(shards: shards, out: out, log: log)
            log("merged \(state.shardCount) shards → \(folder.path): \(state.ledger.generated.formatted()) events generated, \(state.ledger.acknowledged.formatted()) acknowledged")
            if let target = args.value(.target) {
                summary = try VerifyCommand.verify(folder, target: target, token: args.value(.token))
            }
            print(RunConsoleSummary.render(summary, folder: folder.path))
            return summary.verdict.exitCode
        }
    }
}
