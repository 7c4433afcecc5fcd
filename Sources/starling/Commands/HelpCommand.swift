enum HelpCommand {
    static let overview = """
    starling — event simulator and load-testing harness for Tinybird-style real-time analytics APIs

    USAGE: starling <command> [options]

    COMMANDS:
      generate    write a scenario's events as NDJSON/CSV fixtures (reproducible, shardable)
      run         load-test a target: ingest at the scenario's rate while querying its pipes
      scenarios   list the built-in scenarios
      report      re-render report.md, junit.xml and report.html from a results folder
      compare     compare a run with a baseline (one or several runs); exit 2 on a regression
      bench       measure Starling itself (bench generate: events/s and peak RSS per domain)
      help        show help for a command: starling help <command>

    EXIT CODES: 0 passed; 1 usage, bad input or target unreachable; 2 a threshold, check or
    regression failed; 3 the run is invalid (the generator could not keep its schedule).
    """

    static let helps: [String: String] = [
        "generate": GenerateCommand.help,
        "run": RunCommand.help,
        "scenarios": ScenariosCommand.help,
        "bench": BenchCommand.help,
        "report": ReportCommand.help,
        "compare": CompareCommand.help,
    ]

    static func main(_ arguments: [String]) -> Int32 {
        guard let topic = arguments.first, topic != "--help", topic != "-h" else {
            print(overview)
            return 0
        }
        guard let text = helps[topic] else {
            printError("no help for '\(topic)'; commands: \(helps.keys.sorted().joined(separator: ", "))")
            return 1
        }
        print(text)
        return 0
    }
}
