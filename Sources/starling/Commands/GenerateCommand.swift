import Foundation
import StarlingApp
import StarlingDisk
import StarlingProject
import StarlingRun
import StarlingSim

enum GenerateCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "generate",
        line: "write a scenario's events as NDJSON/CSV fixtures (reproducible, shardable)",
        usage: "starling generate <scenario> [options]\n       starling generate --project DIR [options]",
        summary: """
        Writes a scenario's events as fixture files: <datasource>.ndjson (or .csv) per datasource.
        The same scenario and seed always give byte-identical files.
        """,
        arguments: [("<scenario>", "a scenario file, or the name of a built-in one (see 'starling scenarios')")],
        options: [
            .value(.project, "DIR", "no scenario: every datasource of this Tinybird project, each column generated as 'starling init --project DIR' infers it"),
            .value(.events, "N", "the first N events of the stream, split over the datasources by share (default: the scenario's \"events\")"),
            .value(.duration, "D", "every event in D of simulated time from the scenario's start (90s, 10m, 24h, 7d)"),
            .value(.seed, "S", "override the scenario's seed"),
            .value(.shard, "i/n", "only the entities (visitors, users, customers) of shard i of n (0-based); the n shards together are exactly the unsharded output"),
            .value(.format, "ndjson|csv", "output format (default ndjson; csv has a header row)"),
            .value(.datasource, "NAME", "only this datasource (or a comma-separated list)"),
            .value(.out, "DIR|-", "output folder (default: ., or none with --tinybird-project), created if missing; - writes one datasource to stdout"),
            .value(.tinybirdProject, "DIR", "also write a Tinybird Forward project folder (created if missing): fixtures/<datasource>.ndjson and tests/<pipe>.yaml ('tb test run') with every pipe's exact answers from Starling's oracles (exact for fixtures within a month)"),
        ],
        sections: [
            ("EXAMPLES", """
            starling generate ecommerce --events 1000000 --out fixtures/
            starling generate scenarios/foot-traffic.json --duration 7d --shard 0/4 --out shard0/
            starling generate ci-smoke --events 3000 --tinybird-project tinybird/
            starling generate --project scenarios/examples/web-analytics --events 1000 --out -
            """),
            ("EXIT CODES", "0 written; 1 usage or bad input (the scenario, an option, an unusable --out folder)."),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            var options = GenerateOptions()
            let events = try args.value(.events, expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let duration = try args.value(.duration, expected: "a duration like 90s, 10m, 24h, 7d") { DurationText.seconds(parsing: $0) }
            switch (events, duration) {
            case (.some, .some): throw UsageError(verb: "generate", message: "give --events or --duration, not both")
            case (let n?, nil): options.size = .events(n)
            case (nil, let d?): options.size = .duration(d)
            case (nil, nil): break
            }
            options.seed = try args.value(.seed, expected: "a non-negative integer") { UInt64($0) }
            options.shard = try args.value(.shard, expected: "i/n with 0 ≤ i < n, e.g. 0/4") { ShardSpec(parsing: $0) } ?? .whole
            options.format = try args.value(.format, expected: "ndjson or csv") { GenerateOptions.Format(rawValue: $0) } ?? .ndjson
            options.datasources = args.value(.datasource).map { $0.split(separator: ",").map(String.init) }
            let outOption = args.value(.out)
            let project = args.value(.tinybirdProject)
            let out = outOption ?? "."
            let scenario: Scenario
            if let own = args.value(.project) {
                _ = try args.positionals(count: 0...0, names: "")
                scenario = try Scenario.inferring(project: own)
            } else {
                scenario = try ScenarioCatalog().load(try args.positionals(count: 1...1, names: "<scenario>")[0])
            }

            if let project {
                try writeTinybirdProject(scenario, options: options, directory: project)
                if outOption == nil { return 0 }
            }
            if out == "-" {
                options.output = .standardOutput
            } else {
                try Folder.create(out)
                options.output = .directory(out)
            }
            let progress = standardErrorIsTerminal ? ProgressLine() : nil
            let files = try FixtureGenerator.generate(scenario, options: options) { p in
                progress?.update("\(p.datasource): \(p.events.formatted()) events" + (p.target.map { " of \($0.formatted())" } ?? ""))
            }
            progress?.finish()
            for file in files where file.sessionsUnplaced * 100 > file.sessionsStarted {
                // More than 1% of the sessions found nobody free: the stream is thinner than its rate.
                printError("warning: \(file.datasource): \(file.sessionsUnplaced.formatted()) of \(file.sessionsStarted.formatted()) sessions found nobody free (everyone drawn was busy or at their daily cap), so there are fewer events than the rate asks: give a larger population (or leave it out, to derive it from the declared frequency) or a higher max_…_per_day")
            }
            if options.output != .standardOutput {
                for file in files {
                    let shard = options.shard.count > 1 ? " (shard \(options.shard) of \(file.streamEvents.formatted()))" : ""
                    FileHandle.standardError.write(Data("wrote \(file.path): \(file.events.formatted()) events\(shard), \(file.bytes.formatted()) bytes\n".utf8))
                }
            }
            return 0
        }
    }

    static func writeTinybirdProject(_ scenario: Scenario, options: GenerateOptions, directory: String) throws {
        let progress = standardErrorIsTerminal ? ProgressLine() : nil
        let specs = try ProjectFolder(path: ScenarioCatalog().projectFolder).pipes
        let project = try TinybirdProjectWriter.write(scenario, options: options, directory: directory, pipes: specs) { p in
            progress?.update("\(p.datasource): \(p.events.formatted()) events" + (p.target.map { " of \($0.formatted())" } ?? ""))
        }
        progress?.finish()
        for file in project.fixtures {
            FileHandle.standardError.write(Data("wrote \(file.path): \(file.events.formatted()) events, \(file.bytes.formatted()) bytes\n".utf8))
        }
        for test in project.tests {
            FileHandle.standardError.write(Data("wrote \(test.path): \(test.cases.count) tests\n".utf8))
        }
        for warning in project.warnings {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        for skip in project.skipped {
            FileHandle.standardError.write(Data("skipped \(skip.pipe) \(skip.parameters): \(skip.reason)\n".utf8))
        }
    }
}

/// A single status line on a terminal, redrawn at most 10 times a second.
final class ProgressLine {
    private var last = 0.0

    func update(_ text: String) {
        let now = Date().timeIntervalSince1970
        guard now - last >= 0.1 else { return }
        last = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
