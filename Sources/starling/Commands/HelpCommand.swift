enum HelpCommand {
    static let overview = """
    starling — event simulator and load-testing harness for Tinybird-style real-time analytics APIs

    USAGE: starling <command> [options]

    COMMANDS:
      generate    write a scenario's events as NDJSON/CSV fixtures (reproducible, shardable)
      init        write a scenario for your Tinybird project (specs inferred, every endpoint queried)
      inspect     print how Starling reads a Tinybird project (datasources, pipes, endpoints) as JSON
      run         load-test a target: ingest at the scenario's rate while querying its pipes
      replay      send a run's dead letter again (same bytes, same retry rules, its own ledger)
      merge       combine the shard folders of a distributed run into one (then verify it)
      verify      settle and check every pipe once for merged results
      scenarios   list the built-in scenarios
      report      re-render report.md, junit.xml and report.html from a results folder
      compare     compare a run with a baseline (one or several runs); exit 2 on a regression
      ab          interleaved A/B runs of two targets or projects; exit 2 when B is worse
      profile     measure fixtures or a scenario against what its domains declare; exit 2 when off
      bench       measure Starling itself (bench generate: events/s and peak RSS per domain)
      help        show help for a command: starling help <command>

    EXIT CODES:
    \(exitCodesText.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
    """

    static let specs: [String: CommandSpec] = [
        "generate": GenerateCommand.spec,
        "init": InitCommand.spec,
        "inspect": InspectCommand.spec,
        "run": RunCommand.spec,
        "replay": ReplayCommand.spec,
        "merge": MergeCommand.spec,
        "verify": VerifyCommand.spec,
        "scenarios": ScenariosCommand.spec,
        "bench": BenchCommand.spec,
        "report": ReportCommand.spec,
        "compare": CompareCommand.spec,
        "ab": ABCommand.spec,
        "profile": ProfileCommand.spec,
    ]

    static func main(_ arguments: [String]) -> Int32 {
        guard let topic = arguments.first, topic != "--help", topic != "-h" else {
            print(overview)
            return 0
        }
        if topic == "bench", arguments.count > 1, let benchmark = BenchCommand.benchmarks.first(where: { $0.verb == "bench \(arguments[1])" }) {
            print(benchmark.help)
            return 0
        }
        guard let spec = specs[topic] else {
            printError("no help for '\(topic)'; commands: \(specs.keys.sorted().joined(separator: ", "))")
            return 1
        }
        print(spec.help)
        return 0
    }
}
