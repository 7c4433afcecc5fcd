import StarlingDisk
import StarlingRun
import StarlingSim

enum InitCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "init",
        line: "write a scenario for your Tinybird project (specs inferred, every endpoint queried)",
        usage: "starling init --project DIR",
        summary: """
        Writes a scenario for a Tinybird project to stdout: every datasource that receives events, with
        each column's field spec inferred from its type and name and spelled out (entity ids, countries,
        money, booleans, timestamps…), and every endpoint in the query mix with its parameters drawn as
        its SQL uses them. Edit it (entity, attribute_of, one_of, sessions…) to make the data look like yours.
        """,
        options: [
            .value(.project, "DIR", "the project folder (datasources/*.datasource, endpoints/*.pipe, as tb uses)"),
        ],
        sections: [
            ("EXAMPLES", """
            starling init --project scenarios/examples/web-analytics > my-scenario.json
            starling run my-scenario.json
            """),
            ("EXIT CODES", "0 written; 1 usage or a project that cannot be read (the file and line are named)."),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            print(try Scenario.initText(project: try args.projectFolder(verb: "init")), terminator: "")
            return 0
        }
    }
}
