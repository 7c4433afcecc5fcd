import Foundation
import StarlingReport
import StarlingRun

enum CompareCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "compare",
        line: "compare a run with a baseline (one or several runs); exit 2 on a regression",
        usage: "starling compare <baseline>... <current> [options]",
        summary: """
        Compares a run with a baseline and prints a Markdown table of every metric: ingest latency
        p50/p99/p99.9, per-pipe query p50/p99, achieved rates, error rate, lost events, freshness p50/p99
        and failed checks, each with its baseline, current value, change and verdict.

        A metric regresses only when the current value (every current run's) is outside the baseline runs' [min, max] range
        widened by its tolerance (absolute + relative × value), in its bad direction (lower latency,
        errors, losses are better; higher rates are better). A baseline of several runs therefore
        carries the machine's own noise. Percentiles with fewer than --min-tail-samples samples beyond
        them are shown but not gated. Invalid runs (the generator fell behind its schedule) are left
        out of the baseline; if the current run is invalid no verdict is drawn (exit 3): rerun it.
        """,
        arguments: [
            ("<baseline>...", "one or more results folders, or a folder whose sub-folders are results folders (e.g. results/baselines/ci-smoke/ holding run1/ … run5/); all of them form the baseline"),
            ("<current>", "the results folder of the run to judge (the last argument), or a folder of several runs of the same build: then a change counts only if every one shows it"),
        ],
        options: [
            .value(.tolerance, "KEY=REL[+ABS]", "KEY: a kind — latency (medians; default 25%+2ms), tail (p99, p99.9; 50%+5ms), rate (10%+0.2/s), errors (0+0.5 percentage points), count (0+0) — or a metric name as printed, e.g. --tolerance ingest.latency.p99=40%+5ms", repeatable: true),
            .value(.minTailSamples, "N", "samples beyond a percentile needed to gate it (default 5)"),
            .value(.out, "DIR", "also write DIR/compare.md"),
        ],
        sections: [("EXIT CODES", """
            0 no regression; 1 bad input (not a results folder, bad option); 2 a regression;
            3 the current run is invalid, so no verdict (the table is still printed).
            """)])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            var tolerances = CompareTolerances()
            for text in args.all(.tolerance) { try tolerances.apply(text) }
            tolerances.minimumTailSamples = try args.value(.minTailSamples, expected: "a number ≥ 0") { Double($0).flatMap { $0 >= 0 ? $0 : nil } } ?? tolerances.minimumTailSamples
            let out = args.value(.out)
            let folders = try args.positionals(count: 2...10_000, names: "<baseline> and <current>")
            let baseline = try RunSet(folders: Array(folders.dropLast()))
            let current = try RunSet(folders: [folders[folders.count - 1]])
            let comparison = Comparison(baseline: baseline, current: current, tolerances: tolerances)
            let markdown = ComparisonReport.markdown(comparison)
            print(markdown, terminator: "")
            if let out {
                try Folder.create(out)
                try ResultsFolder.writeText(markdown, toPath: "\(out)/compare.md")
            }
            return comparison.exitCode
        }
    }
}
