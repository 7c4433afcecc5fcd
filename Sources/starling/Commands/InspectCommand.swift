import Foundation
import StarlingProject

enum InspectCommand {
    static let spec = CommandSpec(
        verb: "inspect",
        usage: "starling inspect --project DIR",
        summary: """
        Prints how Starling reads a Tinybird project, as JSON (keys sorted, paths relative to DIR):
        every datasource with its columns (name, type, jsonpath, default) and engine settings, and every
        pipe with its nodes (name, sql, type, datasource), whether it is an endpoint and its template
        parameters. scripts/conformance compares it with Tinybird's own parser.
        """,
        options: [
            .value("--project", "DIR", "the project folder (datasources/*.datasource, endpoints/*.pipe, as tb uses)"),
        ],
        sections: [
            ("EXAMPLES", "starling inspect --project tinybird > starling-reading.json"),
            ("EXIT CODES", "0 printed; 1 usage or a project that cannot be read (the file and line are named)."),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            _ = try args.positionals(count: 0...0, names: "")
            guard let project = args.value("--project") else {
                throw UsageError(verb: "inspect", message: "give the project folder: starling inspect --project DIR")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: project, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw UsageError(verb: "inspect", message: "--project \(project): expected a Tinybird project folder (no such folder)")
            }
            let trimmed = project.count > 1 && project.hasSuffix("/") ? String(project.dropLast()) : project
            print(try ProjectFolder(path: trimmed).inspectionJSON, terminator: "")
            return 0
        }
    }
}
