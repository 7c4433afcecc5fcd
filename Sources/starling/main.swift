import Glibc

// The CLI: parse the verb, call one library function, map the outcome to an exit code
// (see `exitCodesText`). The verbs are `CommandTable`'s.
let arguments = Array(CommandLine.arguments.dropFirst())
let verb = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())
if ["help", "--help", "-h"].contains(verb) {
    exit(HelpCommand.main(rest))
}
guard let command = CommandTable.command(verb) else {
    printError("unknown command '\(verb)'. Run 'starling help' for the list of commands.")
    exit(1)
}
exit(command.main(rest))
