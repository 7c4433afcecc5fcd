import Glibc

// The CLI: parse the verb, call one library function, map the outcome to an exit code
// (see `exitCodesText`).
let arguments = Array(CommandLine.arguments.dropFirst())
let verb = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())
let commands: [String: ([String]) -> Int32] = [
    "generate": GenerateCommand.main,
    "init": InitCommand.main,
    "inspect": InspectCommand.main,
    "run": RunCommand.main,
    "replay": ReplayCommand.main,
    "merge": MergeCommand.main,
    "verify": VerifyCommand.main,
    "scenarios": ScenariosCommand.main,
    "bench": BenchCommand.main,
    "report": ReportCommand.main,
    "compare": CompareCommand.main,
    "ab": ABCommand.main,
    "profile": ProfileCommand.main,
    "help": HelpCommand.main,
    "--help": HelpCommand.main,
    "-h": HelpCommand.main,
]
guard let command = commands[verb] else {
    printError("unknown command '\(verb)'. Run 'starling help' for the list of commands.")
    exit(1)
}
exit(command(rest))
