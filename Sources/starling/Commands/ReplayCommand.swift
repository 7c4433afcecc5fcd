import Foundation
import StarlingApp
import StarlingRun

enum ReplayCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "replay",
        line: "send a run's dead letter again (same bytes, same retry rules, its own ledger)",
        usage: "starling replay <results dir> [options]",
        summary: """
        Sends a run's dead letter (deadletter/<datasource>.ndjson, in the batches deadletter/batches.ndjson
        lists) to the target again, batch by batch and byte for byte, with the same retry rules and
        wait=true, and writes the replay's own ledger (replay.json) and dead letter — what still did not
        land — to a folder of its own, so a replay can be replayed. Batches that were sent without an
        answer may have landed already: they are resent unchanged, which Tinybird de-duplicates (an
        identical payload retried within 5 hours), as the local target does.
        """,
        arguments: [("<results dir>", "the results folder of the run")],
        options: [
            .value(.target, "URL", "where to send (default: the run's target, if it was a URL)"),
            .value(.token, "T", "token with APPEND scope (default: $TB_TOKEN; for Tinybird Local, its /tokens). Never printed."),
            .value(.out, "DIR", "the replay's folder (default: <results dir>/replay-<UTC time>)"),
        ],
        sections: [("EXIT CODES", """
            0 every event landed; 1 bad input (no dead letter, unreadable files), target unreachable or lost,
            token refused; 2 some events still did not land (in the replay's dead letter); 4 interrupted.
            """)])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let path = try args.positionals(count: 1...1, names: "<results dir>")[0]
            let (summary, folder) = try Replay.execute(results: path, target: args.value(.target), token: args.value(.token), out: args.value(.out)) { message in
                FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
            }
            let l = summary.ledger
            print("replay of \(summary.batches) batches: \(l.generated) events, \(l.acknowledged) acknowledged, \(l.quarantined) quarantined, \(l.rejected) rejected, \(l.failed) failed, \(l.notSent) not sent, \(summary.requests) requests")
            if let stop = summary.stop, stop.reason != .plannedEnd { print("stopped: \(stop.message)") }
            if summary.possiblyLandedEvents > 0 {
                print("\(summary.possiblyLandedEvents) events were of batches that may have landed before; they were resent unchanged (the target de-duplicates identical payloads)")
            }
            if summary.deadLetterLines > 0, let file = summary.deadLetterFile {
                print("still not landed: \(summary.deadLetterLines) events in \(folder.path)/\(file) — replay again with: starling replay \(folder.path) --target \(summary.target)")
            }
            print("results: \(folder.path)")
            return summary.exitCode
        }
    }
}
