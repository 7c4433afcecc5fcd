import Foundation
import StarlingDisk
import StarlingRun
import StarlingSim

/// Finds scenarios: a path to a file, or the name of a built-in scenario in `$STARLING_SCENARIOS`
/// or the `scenarios/` folder of Starling's home (`StarlingHome`: `$STARLING_HOME`, the working
/// directory, the checkout the executable was built in, or its installed share folder).
public struct ScenarioCatalog: Sendable {
    public let folders: [String]

    public init(folders: [String]? = nil) {
        if let folders {
            self.folders = folders
            return
        }
        var found: [String] = []
        if let env = ProcessInfo.processInfo.environment["STARLING_SCENARIOS"] { found.append(env) }
        found += StarlingHome.roots().map { $0 + "/scenarios" }
        self.folders = found
    }

    /// The built-in Tinybird project the scenarios target (`scenarios/tinybird`), in the first folder
    /// that has one.
    public var projectFolder: String {
        (folders.first { FileManager.default.fileExists(atPath: $0 + "/tinybird") } ?? "scenarios") + "/tinybird"
    }

    /// The project a scenario's run serves, checks and verifies: its own (`"project"`), else the
    /// built-in one. The one place this is decided (`run`, `verify`, `merge --target`, `ab`).
    public func project(for scenario: Scenario) -> String {
        scenario.project ?? projectFolder
    }

    /// A built-in scenario: its name, file and description.
    public struct Entry: Sendable {
        public var name: String
        public var path: String
        public var description: String
        public var datasources: [String]
    }

    /// The path of `nameOrPath`: an existing file as given, else `<folder>/<name>.json`.
    public func resolve(_ nameOrPath: String) throws(ScenarioError) -> String {
        if FileManager.default.fileExists(atPath: nameOrPath) { return nameOrPath }
        let file = nameOrPath.hasSuffix(".json") ? nameOrPath : nameOrPath + ".json"
        for folder in folders where FileManager.default.fileExists(atPath: folder + "/" + file) {
            return folder + "/" + file
        }
        throw .unknownScenario(name: nameOrPath, known: entries().map(\.name))
    }

    public func load(_ nameOrPath: String) throws(ScenarioError) -> Scenario {
        let path = try resolve(nameOrPath)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileUnreadable(path: path, reason: "no such file or not readable")
        }
        return try Scenario(json: data, source: path)
    }

    /// The scenarios in the first folder that has any, by name. Files that do not parse are listed
    /// with their error as description, so a broken built-in is visible rather than hidden.
    public func entries() -> [Entry] {
        for folder in folders {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            let jsons = files.filter { $0.hasSuffix(".json") }.sorted()
            guard !jsons.isEmpty else { continue }
            return jsons.map { file in
                let path = folder + "/" + file
                let name = String(file.dropLast(5))
                do {
                    let data = FileManager.default.contents(atPath: path) ?? Data()
                    let scenario = try Scenario(json: data, source: path)
                    return Entry(name: name, path: path, description: scenario.description, datasources: scenario.datasources.map(\.name))
                } catch {
                    return Entry(name: name, path: path, description: "invalid: \(error)", datasources: [])
                }
            }
        }
        return []
    }
}
