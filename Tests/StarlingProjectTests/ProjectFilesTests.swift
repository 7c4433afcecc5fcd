import Foundation
import StarlingDisk
import StarlingSim
import Testing
@testable import StarlingProject

/// Project parsing reads only through the `ProjectFiles` it is given: the repository's projects,
/// held in memory, read exactly as they do from disk, and a scenario's `"project"` resolves
/// against its own file's folder inside those files.
@Suite struct ProjectFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every file under `folder` on disk, by absolute path, as text.
    static func inMemory(_ folder: String) -> [String: String] {
        var files: [String: String] = [:]
        for relative in ProjectFiles.disk.list(folder) {
            let path = folder + "/" + relative
            guard !ProjectFiles.disk.isFolder(path), let data = ProjectFiles.disk.contents(path) else { continue }
            files[path] = String(decoding: data, as: UTF8.self)
        }
        return files
    }

    @Test(arguments: ["scenarios/tinybird", "scenarios/examples/web-analytics"])
    func aProjectHeldInMemoryReadsAsItDoesFromDisk(project: String) throws {
        let path = Self.root.appendingPathComponent(project).path
        let disk = try ProjectFolder(path: path)
        let memory = try ProjectFolder(path: path, files: .memory(Self.inMemory(path)))
        #expect(!disk.pipes.isEmpty)
        #expect(try memory.inspectionJSON == disk.inspectionJSON)
    }

    @Test func aScenariosProjectResolvesAgainstItsFileInTheFilesGiven() throws {
        let project = Self.root.appendingPathComponent("scenarios/examples/web-analytics").path
        var files = Self.inMemory(project)
        // The same project under another name, and nothing on disk there.
        files = Dictionary(uniqueKeysWithValues: files.map { ("/virtual/shop/project" + $0.key.dropFirst(project.count), $0.value) })
        let json = #"{"format": 1, "name": "virtual", "project": "project"}"#
        let scenario = try Scenario(json: Data(json.utf8), source: "/virtual/shop/scenario.json", files: .memory(files))
        #expect(scenario.project == "/virtual/shop/project")
        #expect(!scenario.datasources.isEmpty, "the project's datasources, inferred from the files given")
        #expect(throws: ScenarioError.self) {
            try Scenario(json: Data(json.utf8), source: "/virtual/shop/scenario.json", files: .memory([:]))
        }
    }
}
