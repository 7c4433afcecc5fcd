import Foundation
import StarlingApp
import StarlingReport
import StarlingRun
import StarlingSim

enum ABCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "ab",
        line: "interleaved A/B runs of two targets or projects; exit 2 when B is worse",
        usage: "starling ab <scenario> --a <URL|project> --b <URL|project> [options]",
        summary: """
        Interleaved A/B benchmark: --rounds rounds of short runs of the scenario, alternating A and B in
        ABBA order (A B, B A, A B, …) so that drift on a shared machine falls on both sides, then B
        against A per metric. A side is a target URL, or a Tinybird project folder served by a local
        target of its own (main's project against a pull request's). B is worse on a latency or
        query-cost metric when a one-sided Mann–Whitney U test says so (at 0.05 divided by the number
        of such metrics) and the whole 90 % bootstrap interval of B/A (medians) lies beyond the
        threshold. Writes DIR/ab.md and every run's results folder.
        """,
        arguments: [("<scenario>", "a scenario file, or the name of a built-in one; keep it short (e.g. --duration 10s)")],
        options: [
            .value(.a, "URL|DIR", "side A: a target URL, or a folder holding a Tinybird project (served by a local target)"),
            .value(.b, "URL|DIR", "side B, the same"),
            .value(.rounds, "K", "rounds, each one run of A and one of B (default 8; at least 3, but below 6 the test can never reach its confidence)"),
            .value(.duration, "D", "length of each run's load phase (default: the scenario's)"),
            .value(.threshold, "P", "smallest change that counts, e.g. 10% (default)"),
            .value(.token, "T", "token for URL sides (default: $TB_TOKEN). Never printed or written."),
            .value(.out, "DIR", "where ab.md and the runs go (default: results/ab-<scenario>-<UTC time>)"),
        ],
        sections: [("EXIT CODES", """
            0 B is not worse; 1 bad input; 2 B is worse on a gated metric;
            3 too few valid runs to judge (the machine was too busy): rerun.
            """)])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let catalog = ScenarioCatalog()
            let name = try args.positionals(count: 1...1, names: "<scenario>")[0]
            let scenario = try catalog.load(name)
            guard let aText = args.value(.a), let bText = args.value(.b) else {
                throw UsageError(verb: "ab", message: "--a and --b are both required")
            }
            let out = args.value(.out) ?? LoadRun.defaultResultsFolder(scenario: "ab-\(scenario.name)")
            var options = ABOptions(a: try ABSide(parsing: aText, flag: "--a"), b: try ABSide(parsing: bText, flag: "--b"), out: out,
                                    localTarget: LocalTarget.Options(project: catalog.project(for: scenario)))
            options.rounds = try args.value(.rounds, expected: "an integer from 3 to 100") { Int($0).flatMap { (3...100).contains($0) ? $0 : nil } } ?? 8
            options.duration = try args.value(.duration, expected: "a duration like 10s") { DurationText.seconds(parsing: $0).flatMap { $0 > 0 ? $0 : nil } }
            options.threshold = try args.value(.threshold, expected: "a percentage like 10%") { text in
                let number = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
                return number.flatMap { $0 > 0 && $0 < 10 ? $0 : nil }
            } ?? 0.10
            options.token = args.value(.token)
            do {
                let (comparison, markdown) = try ABRun.execute(scenario, options: options) { message in
                    FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
                }
                print(markdown, terminator: "")
                return comparison.exitCode
            } catch let error as ABError {
                FileHandle.standardError.write(Data("starling: \(error)\n".utf8))
                if case .tooFewValidRuns = error { return 3 }
                return 1
            }
        }
    }
}
