import Foundation
import StarlingRun

/// The runs a comparison reads: each argument is a results folder (it has `summary.json`), or a
/// folder whose direct sub-folders are results folders (e.g. `results/baselines/ci-smoke/` holding
/// `run1/ … run5/`), which stands for all of them.
public struct RunSet: Sendable {
    public var runs: [(folder: String, summary: RunSummary)]

    public init(folders: [String]) throws(CompareError) {
        var runs: [(String, RunSummary)] = []
        for folder in folders {
            for path in try Self.expand(folder) { runs.append((path, try Self.summary(at: path))) }
        }
        self.runs = runs
    }

    public init(summaries: [(folder: String, summary: RunSummary)]) {
        runs = summaries
    }

    static func expand(_ folder: String) throws(CompareError) -> [String] {
        let manager = FileManager.default
        if ResultsFolder.holdsResults(folder) { return [folder] }
        // A folder that cannot be listed holds no runs either: the error below names it.
        let children = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            .map { "\(folder)/\($0)" }
            .filter { ResultsFolder.holdsResults($0) }
        guard !children.isEmpty else { throw .notResults(folder) }
        return children
    }

    static func summary(at folder: String) throws(CompareError) -> RunSummary {
        do {
            return try ResultsFolder(existing: folder).readSummary()
        } catch .unreadable(let path, let reason) {
            // The folder's own error names the file already: said once, not twice.
            throw .unreadable(path, reason)
        } catch {
            throw .unreadable("\(folder)/summary.json", error.description)
        }
    }
}
