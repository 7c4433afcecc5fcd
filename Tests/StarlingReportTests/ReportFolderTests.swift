import Foundation
import StarlingMetrics
import StarlingRun
import Testing
@testable import StarlingReport

@Suite struct ReportFolderTests {
    /// Writes a folder the way a run does (summary.json, .hgrm, timeline.csv).
    static func writeFolder(_ input: ReportInput, histograms: [StreamName: HDRHistogram]) throws -> ResultsFolder {
        let folder = try ResultsFolder.prepare(try ReportFixture.temporaryFolder())
        try folder.writeSummary(input.summary)
        try folder.writeLatencies(histograms: histograms, timelines: input.timelines)
        return folder
    }

    @Test(.timeLimit(.minutes(1))) func readsBackWhatARunWrote() throws {
        let input = try ReportFixture.input()
        let histograms = Dictionary(uniqueKeysWithValues: input.spectra.keys.sorted().enumerated().map { ($1, ReportFixture.histogram(scale: $0 + 1)) })
        let folder = try Self.writeFolder(input, histograms: histograms)
        defer { try? FileManager.default.removeItem(atPath: folder.path) }

        let read = try ReportInput(folder: folder)
        #expect(read.timelines == input.timelines)
        #expect(Set(read.spectra.keys) == Set(input.spectra.keys))
        for (stream, points) in input.spectra {
            let back = try #require(read.spectra[stream])
            #expect(back.count == points.count)
            #expect(zip(back, points).allSatisfy { abs($0.valueMs - $1.valueMs) < 0.001 && abs($0.percentile - $1.percentile) < 1e-9 })
        }
        try ReportWriter.writeAll(folder: folder)
        for name in ["report.md", "junit.xml", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(folder.path)/\(name)"))
        }
        #expect(MarkdownReport.render(read) == MarkdownReport.render(input))
    }

    @Test(.timeLimit(.minutes(1))) func fallsBackToTheIntervalLogWithoutHgrm() throws {
        var input = try ReportFixture.input()
        input.timelines = [:]
        let folder = try Self.writeFolder(input, histograms: [:])
        try FileManager.default.removeItem(atPath: folder.url(.timeline))
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        var writer = IntervalLogWriter(startTimeMilliseconds: 1_795_000_000_000)
        try writer.append(ReportFixture.histogram(scale: 1), tag: "ingest", startSeconds: 0, lengthSeconds: 5)
        try writer.append(ReportFixture.histogram(scale: 1), tag: "ingest", startSeconds: 5, lengthSeconds: 5)
        try folder.write(writer.takeText(), to: .intervalLog)

        let read = try ReportInput(folder: folder)
        let ingest = try #require(read.spectra["ingest"])
        #expect(ingest.last?.valueMs ?? 0 > 49.9)
        #expect(read.timelines.isEmpty)
        #expect(HTMLReport.render(read).contains("No timeline.csv in this results folder."))
    }

    @Test func rejectsAFolderWithoutSummary() throws {
        let path = try ReportFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ResultsError.missing("\(path)/summary.json")) { try ReportInput(folder: try ResultsFolder(existing: path)) }
    }

    @Test func namesTheLineOfAMalformedTimeline() throws {
        let csv = "second,stream,offered,achieved,errors,p50_ms,p90_ms,p99_ms,max_ms\n0,ingest,1,1,0,1.0,1.0,1.0\n"
        #expect(throws: ResultsError.unreadable("t.csv", "line 2 has not 9 valid fields: 0,ingest,1,1,0,1.0,1.0,1.0")) {
            try ResultsFolder.parseTimeline(csv, path: "t.csv")
        }
    }
}
