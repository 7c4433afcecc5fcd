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

    /// Each report: its file and how it is rendered. A new report is one line here (and its
    /// `ResultsFolder.File` case).
    static let reports: [(file: ResultsFolder.File, render: @Sendable (ReportInput) -> String)] = [
        (.reportMarkdown, MarkdownReport.render),
        (.junit, { JUnitReport.render($0.summary) }),
        (.reportHTML, HTMLReport.render),
    ]

    /// The report files, in the order they are written.
    public static var files: [ResultsFolder.File] { reports.map(\.file) }

    public static func writeAll(_ input: ReportInput, to folder: ResultsFolder) throws(ResultsError) {
        for report in reports { try folder.write(report.render(input), to: report.file) }
    }
}
