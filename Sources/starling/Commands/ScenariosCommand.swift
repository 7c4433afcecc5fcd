import Foundation
import StarlingApp
import StarlingRun

enum ScenariosCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "scenarios",
        line: "list the built-in scenarios",
        usage: "starling scenarios [--project-of <scenario>]",
        summary: """
        Lists the built-in scenarios (the scenarios/ folder) with their datasources and what each exercises.
        Any of them can be named instead of a path in 'starling generate' and 'starling run'.
        """,
        options: [
            .value(.projectOf, "SCENARIO", "print only the Tinybird project folder a run of this scenario serves and checks (its own \"project\", else the built-in one)"),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            _ = try args.positionals(count: 0...0, names: "")
            let catalog = ScenarioCatalog()
            if let name = args.value(.projectOf) {
                print(URL(fileURLWithPath: catalog.project(for: try catalog.load(name))).standardizedFileURL.path)
                return 0
            }
            let entries = catalog.entries()
            guard !entries.isEmpty else {
                printError("no scenarios found in \(catalog.folders.joined(separator: ", ")); set STARLING_SCENARIOS to the scenarios folder")
                return 1
            }
            let width = entries.map(\.name.count).max() ?? 0
            for entry in entries {
                let padded = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(padded)  \(entry.description)")
                if !entry.datasources.isEmpty {
                    print("\(String(repeating: " ", count: width))  datasources: \(entry.datasources.joined(separator: ", "))")
                }
            }
            return 0
        }
    }
}
