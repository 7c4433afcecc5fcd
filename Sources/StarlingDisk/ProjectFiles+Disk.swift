import Foundation
import StarlingProject
import StarlingSim

extension ProjectFiles {
    /// The disk, as this process sees it (its working directory for relative paths).
    public static let disk = ProjectFiles(
        contents: { FileManager.default.contents(atPath: $0) },
        list: { root in
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String { found.append(relative) }
            return found
        },
        isFolder: { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        },
        currentFolder: { FileManager.default.currentDirectoryPath })
}

extension ProjectFolder {
    /// The project at `path` on disk.
    public init(path: String) throws(DatafileError) {
        try self.init(path: path, files: .disk)
    }
}

extension Scenario {
    /// A scenario whose `"project"` (if any) is read from disk.
    public init(json data: Data, source: String) throws(ScenarioError) {
        try self.init(json: data, source: source, files: .disk)
    }

    /// The scenario `init` writes for the project at `path` on disk, as JSON text.
    public static func initText(project path: String) throws(ScenarioError) -> String {
        try initText(project: path, files: .disk)
    }

    /// The scenario of `initText` for the project at `path` on disk, parsed.
    public static func inferring(project path: String) throws(ScenarioError) -> Scenario {
        try inferring(project: path, files: .disk)
    }
}
