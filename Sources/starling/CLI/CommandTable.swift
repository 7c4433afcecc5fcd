/// A verb of the CLI: its spec (usage, options, its line in `starling help`) and what runs it.
/// (`SendableMetatype`: the table below is a global list of the types.)
protocol CLICommand: SendableMetatype {
    static var spec: CommandSpec { get }
    static func main(_ arguments: [String]) -> Int32
}

/// Every verb, once. `main` dispatches through it, `starling help` lists it and gives each verb's
/// help from it, and the CLI tests read the list from `starling help`: a new verb is its own file
/// and one line here.
enum CommandTable {
    static let commands: [any CLICommand.Type] = [
        GenerateCommand.self,
        InitCommand.self,
        InspectCommand.self,
        RunCommand.self,
        ReplayCommand.self,
        MergeCommand.self,
        VerifyCommand.self,
        ScenariosCommand.self,
        ReportCommand.self,
        CompareCommand.self,
        ABCommand.self,
        ProfileCommand.self,
        BenchCommand.self,
    ]

    /// The command of `verb`; nil for an unknown one.
    static func command(_ verb: String) -> (any CLICommand.Type)? {
        commands.first { $0.spec.verb == verb }
    }
}
