import Foundation
import StarlingDisk
import StarlingProject
import StarlingRun

enum InspectCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "inspect",
        line: "print how Starling reads a Tinybird project (datasources, pipes, endpoints) as JSON",
        usage: "starling inspect --project DIR",
        summary: """
        Prints how Starling reads a Tinybird project, as JSON (keys sorted, paths relative to DIR):
        every datasource with its columns (name, type, jsonpath, default) and engine settings, and every
        pipe with its nodes (name, sql, type, datasource), whether it is an endpoint and its template
        parameters. scripts/ci/conformance compares it with Tinybird's own parser.
        """,
        options: [
            .value(.project, "DIR", "the project folder (datasources/*.datasource, endpoints/*.pipe, as tb uses)"),
        ],
        sections: [
            ("EXAMPLES", "starling inspect --project tinybird > starling-reading.json"),
            ("EXIT CODES", "0 printed; 1 usage or a project that cannot be read (the file and line are named)."),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let project = try args.projectFolder(verb: "inspect")
            print(try ProjectFolder(path: project).inspectionJSON, terminator: "")
            return 0
        }
    }
}
