import Foundation

extension ParsedArguments {
    /// The `--project DIR` of a verb that reads a Tinybird project and takes nothing else: an
    /// existing folder, without a trailing slash.
    func projectFolder(verb: String) throws -> String {
        _ = try positionals(count: 0...0, names: "")
        guard let project = value(.project) else {
            throw UsageError(verb: verb, message: "give the project folder: starling \(verb) --project DIR")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: project, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError(verb: verb, message: "--project \(project): expected a Tinybird project folder (no such folder)")
        }
        return project.count > 1 && project.hasSuffix("/") ? String(project.dropLast()) : project
    }
}
