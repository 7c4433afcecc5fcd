import Foundation
import StarlingReport
import StarlingRun
import StarlingSim

enum RunCommand {
    static let help = """
    USAGE: starling run <scenario> [options]

    Replays a scenario's events against an Events API at the scenario's rate profile while querying
    its pipes, open loop: every latency is measured from the intended send time, and the generator's
    own lateness (schedule lag) is reported apart. Writes summary.json, <stream>.hgrm, intervals.hlog,
    timeline.csv and (if any event did not land) deadletter.ndjson to the results folder.

    ARGUMENTS:
      <scenario>              a scenario file, or the name of a built-in one (see 'starling scenarios')

    OPTIONS:
      --target local|URL|fake
                              local (default): start the bundled local target on a free loopback port,
                              run, stop it. A URL: Tinybird Local (http://localhost:7181), Tinybird
                              Cloud (https://api.tinybird.co) or any compatible API. fake: an in-process
                              fake target that answers at once (or after --fake-latency); no checks.
      --fake-latency D        the fake target's answer delay (e.g. 5ms)
      --token T               token with APPEND and READ scopes (default: $TB_TOKEN; for Tinybird Local,
                              its /tokens). Never printed or written to results.
      --rate R                constant ingest rate in events/s, instead of the scenario's profile
      --duration D            length of the load phase (90s, 10m, 1h; default: the scenario's)
      --seed S                override the scenario's seed
      --shard i/n             send only the entities of shard i of n (for distributed runs)
      --out DIR               results folder (default: results/<scenario>-<UTC time>)
      --truncate              URL targets: empty the scenario's datasources first so the correctness
                              checks can run (DESTRUCTIVE; without it they are reported skipped)
      --flush-interval S      local target: seconds before buffered (wait=false) rows become visible
      --local-target-args A   local target: extra server flags, e.g. "--fault-status 503:0.05"
      --no-progress           no progress line even on a terminal
      -h, --help              show this help

    EXIT CODES: 0 passed; 1 bad input or target unreachable; 2 a threshold or check failed;
    3 the run is invalid (the generator could not keep its schedule).
    """

    static func main(_ arguments: [String]) -> Int32 {
        runCommand("run", help: help, arguments) { args in
            let catalog = ScenarioCatalog()
            let project = (catalog.folders.first { FileManager.default.fileExists(atPath: $0 + "/tinybird") } ?? "scenarios") + "/tinybird"
            var local = LocalTarget.Options(project: project)
            local.flushInterval = try args.option("--flush-interval", expected: "seconds ≥ 0") { Double($0).flatMap { $0 >= 0 ? $0 : nil } } ?? 0
            local.extraArguments = try args.option("--local-target-args", acceptsDashes: true)?.split(separator: " ").map(String.init) ?? []
            var options = LoadRunOptions(localTarget: local)
            let fakeLatency = try args.option("--fake-latency", expected: "a duration like 5ms") { DurationText.seconds(parsing: $0) } ?? 0
            options.target = TargetChoice(try args.option("--target") ?? "local", fakeLatency: fakeLatency)
            options.token = try args.option("--token")
            options.rate = try args.option("--rate", expected: "events per second > 0") { Double($0).flatMap { $0 > 0 ? $0 : nil } }
            options.duration = try args.option("--duration", expected: "a duration like 30s, 10m") { DurationText.seconds(parsing: $0).flatMap { $0 > 0 ? $0 : nil } }
            options.seed = try args.option("--seed", expected: "a non-negative integer") { UInt64($0) }
            options.shard = try args.option("--shard", expected: "i/n with 0 ≤ i < n") { ShardSpec(parsing: $0) } ?? .whole
            options.out = try args.option("--out")
            options.showProgress = !args.flag("--no-progress") && standardErrorIsTerminal
            options.truncate = args.flag("--truncate")
            let name = try args.positionals(count: 1...1, names: "<scenario>")[0]
            let scenario = try catalog.load(name)
            let (outcome, folder) = try LoadRun.execute(scenario, options: options) { message in
                FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
            }
            print(RunConsoleSummary.render(outcome.summary, folder: folder))
            return outcome.exitCode
        }
    }
}
