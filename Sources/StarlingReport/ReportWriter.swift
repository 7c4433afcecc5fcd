import StarlingRun

/// Writes the human-facing reports of a results folder: `report.md`, `junit.xml` and `report.html`.
public enum ReportWriter {
    /// After a run: call right after its data files were written, with the same outcome and folder.
    public static func writeAll(_ outcome: RunOutcome, to folder: ResultsFolder) throws(ResultsError) {
        try writeAll(ReportInput(outcome), to: folder)
    }

    /// `starling report <dir>`: re-renders the reports from the folder's own files alone.
    @discardableResult
    public static func writeAll(folder: ResultsFolder) throws(ResultsError) -> ReportInput {
        let input = try ReportInput(folder: folder)
        try writeAll(input, to: folder)
        return input
    }

    public static func writeAll(_ input: ReportInput, to folder: ResultsFolder) throws(ResultsError) {
        try folder.write(MarkdownReport.render(input), to: .reportMarkdown)
        try folder.write(JUnitReport.render(input.summary), to: .junit)
        try folder.write(HTMLReport.render(input), to: .reportHTML)
    }
}
