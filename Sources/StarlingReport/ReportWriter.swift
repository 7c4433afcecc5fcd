import StarlingRun

/// Writes the human-facing reports of a results folder: `report.md`, `junit.xml` and `report.html`.
public enum ReportWriter {
    /// After a run: call right after ``ResultWriter/write(_:to:)`` with the same outcome and folder.
    public static func writeAll(_ outcome: RunOutcome, to directory: String) throws(ReportError) {
        try writeAll(ReportInput(outcome), to: directory)
    }

    /// `starling report <dir>`: re-renders the reports from the folder's own files alone.
    @discardableResult
    public static func writeAll(folder: String) throws(ReportError) -> ReportInput {
        let input = try ReportInput(folder: folder)
        try writeAll(input, to: folder)
        return input
    }

    public static func writeAll(_ input: ReportInput, to directory: String) throws(ReportError) {
        try ResultWriter.write(MarkdownReport.render(input), to: "\(directory)/report.md")
        try ResultWriter.write(JUnitReport.render(input.summary), to: "\(directory)/junit.xml")
        try ResultWriter.write(HTMLReport.render(input), to: "\(directory)/report.html")
    }
}
