import StarlingReport
import StarlingRun

enum ReportCommand {
    static let help = """
    USAGE: starling report <results dir>

    Re-renders report.md (for a CI job summary), junit.xml (one test case per threshold and check)
    and report.html (self-contained, inline SVG charts) from the folder's own files alone:
    summary.json (required), <stream>.hgrm or intervals.hlog, and timeline.csv.
    Runs write these reports themselves; use this after editing or merging a folder.

    EXIT CODES: 0 written (whatever the run's verdict); 1 the folder is not a readable results folder.
    """

    static func main(_ arguments: [String]) -> Int32 {
        runCommand("report", help: help, arguments) { args in
            let folder = try args.positionals(count: 1...1, names: "<results dir>")[0]
            let input = try ReportWriter.writeAll(folder: folder)
            print("\(input.summary.verdict.rawValue): wrote \(folder)/report.md, \(folder)/junit.xml, \(folder)/report.html")
            return 0
        }
    }
}
