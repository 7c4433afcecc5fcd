import Foundation
import Testing
@testable import StarlingRun

@Suite struct ResultsFolderTests {
    /// A reused --out folder: an earlier run's files — above all its dead letter — go; other files stay.
    @Test func preparingAFolderRemovesAnEarlierRunsFilesOnly() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["summary.json", "ingest.hgrm", "deadletter.ndjson", "timeline.csv", "report.md", "notes.txt"] {
            try Data("old".utf8).write(to: dir.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("deadletter"), withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: dir.appendingPathComponent("deadletter/store_visits.ndjson"))
        #expect(ResultsFolder.holdsResults(dir.path))
        _ = try ResultsFolder.prepare(dir.path)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["notes.txt"])
    }

    @Test func unusableFoldersAreNamedWithTheReason() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("starling-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: ResultsError.notAFolder(file.path)) { try ResultsFolder.prepare(file.path) }
        #expect(throws: ResultsError.unusable("/proc/x", "/proc does not accept new folders (No such file or directory)")) {
            try ResultsFolder.prepare("/proc/x")
        }
        #expect(throws: ResultsError.unusable(file.path + "/sub", "\(file.path) is a file, not a folder")) {
            try ResultsFolder.prepare(file.path + "/sub")
        }
    }

    @Test func aSummaryOfAnUnknownSchemaIsRefusedWithItsName() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"schema": "starling.summary.v9"}"#.utf8).write(to: dir.appendingPathComponent("summary.json"))
        #expect(throws: ResultsError.self) { try ResultsFolder(existing: dir.path).readSummary() }
    }
}

@Suite(.timeLimit(.minutes(2)), .enabled(if: referencePython != nil, "needs the local target's venv (scripts/test provides it)"))
struct LocalTargetLaunchTests {
    /// The token is passed in the environment: `ps` (the process's command line) never shows it.
    @Test func theTokenIsNotOnTheCommandLine() throws {
        let target = try LocalTarget.start(LocalTarget.Options(project: repositoryRoot.appendingPathComponent("scenarios/tinybird").path))
        defer { target.stop() }
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(target.process.processIdentifier)/cmdline"))
        let text = String(decoding: cmdline.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        #expect(text.contains("server.py") || text.contains("start"), "\(text)")
        #expect(!text.contains(target.token), "the token must not be visible in ps")
    }
}
