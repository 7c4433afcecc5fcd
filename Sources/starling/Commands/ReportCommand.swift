import StarlingReport
import StarlingRun

enum ReportCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "report",
        line: "re-render report.md, junit.xml and report.html from a results folder",
        usage: "starling report <results dir>",
        summary: """
        Re-renders report.md (for a CI job summary), junit.xml (one test case per threshold and check)
        and report.html (self-contained, inline SVG charts) from the folder's own files alone:
        summary.json (required), <stream>.hgrm or intervals.hlog, and timeline.csv.
        Runs write these reports themselves; use this after editing or merging a folder.
        """,
        arguments: [("<results dir>", "a results folder")],
        sections: [("EXIT CODES", "0 written (whatever the run's verdict); 1 the folder is not a readable results folder.")])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let path = try args.positionals(count: 1...1, names: "<results dir>")[0]
            let folder = try ResultsFolder(existing: path)
            let input = try ReportWriter.writeAll(folder: folder)
            print("\(input.summary.verdict.rawValue): wrote \(ReportWriter.files.map { folder.url($0) }.joined(separator: ", "))")
            return 0
        }
    }
}
