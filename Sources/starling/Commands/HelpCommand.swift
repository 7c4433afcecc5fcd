import Foundation

enum HelpCommand {
    /// `starling help`: what Starling is, every verb of `CommandTable` with its line, the exit codes.
    static var overview: String {
        let verbs = CommandTable.commands.map { $0.spec } + [CommandSpec(verb: "help", line: "show help for a command: starling help <command>", usage: "", summary: "")]
        let list = verbs.map { "  " + $0.verb.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.line }.joined(separator: "\n")
        return """
        starling — event simulator and load-testing harness for Tinybird-style real-time analytics APIs

        USAGE: starling <command> [options]

        COMMANDS:
        \(list)

        EXIT CODES:
        \(exitCodesText.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
        """
    }

    static func main(_ arguments: [String]) -> Int32 {
        guard let topic = arguments.first, topic != "--help", topic != "-h" else {
            print(overview)
            return 0
        }
        if topic == "bench", arguments.count > 1, let benchmark = BenchCommand.benchmarks.first(where: { $0.verb == "bench \(arguments[1])" }) {
            print(benchmark.help)
            return 0
        }
        guard let command = CommandTable.command(topic) else {
            printError("no help for '\(topic)'; commands: \(CommandTable.commands.map { $0.spec.verb }.sorted().joined(separator: ", "))")
            return 1
        }
        print(command.spec.help)
        return 0
    }
}
