import Foundation
import StarlingDisk
import StarlingProject
import StarlingReport
import StarlingRun
import StarlingSim

/// One side of an A/B benchmark: a target URL, or a Tinybird project folder served by its own
/// local target (main's project against a pull request's).
public enum ABSide: Sendable, Equatable, CustomStringConvertible {
    case url(String)
    case project(String)

    /// A URL when it has a scheme, else a folder holding a Tinybird project.
    public init(parsing text: String, flag: String) throws(ABError) {
        if text.contains("://") {
            self = .url(text)
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .badSide(flag: flag, text: text)
        }
        self = .project(text)
    }

    public var description: String {
        switch self {
        case .url(let url): return url
        case .project(let path): return "local target serving \(path)"
        }
    }
}

public struct ABOptions: Sendable {
    public var a: ABSide
    public var b: ABSide
    public var rounds = 8
    public var duration: Double?
    public var threshold = 0.10
    public var out: String
    public var token: String?
    public var localTarget: LocalTarget.Options

    public init(a: ABSide, b: ABSide, out: String, localTarget: LocalTarget.Options) {
        self.a = a
        self.b = b
        self.out = out
        self.localTarget = localTarget
    }
}

public enum ABError: Error, Equatable, Sendable, CustomStringConvertible {
    case badSide(flag: String, text: String)
    case tooFewValidRuns(a: Int, b: Int)

    public var description: String {
        switch self {
        case .badSide(let flag, let text):
            return "\(flag) \(text): expected a target URL (http://…) or a folder holding a Tinybird project"
        case .tooFewValidRuns(let a, let b):
            return "only \(a) valid runs of A and \(b) of B (at least 3 each are needed): the machine was too busy to measure; rerun"
        }
    }
}

/// `starling ab`: K rounds of short runs alternating A and B in ABBA order (A B, B A, A B, …) so
/// the machine's drift falls on both sides, then B against A per metric (`ABComparison`).
public enum ABRun {
    /// Runs every round and writes `ab.md` and each run's results folder under `options.out`.
    /// Returns the comparison and the Markdown; throws `tooFewValidRuns` (exit 3) when fewer
    /// than 3 runs of a side were valid.
    public static func execute(_ scenario: Scenario, options: ABOptions, log: @escaping @Sendable (String) -> Void) throws -> (ABComparison, String) {
        var summaries: [String: [RunSummary]] = ["A": [], "B": []]
        var invalid: [String] = []
        try Folder.create(options.out)
        for round in 1...options.rounds {
            let order = round % 2 == 1 ? ["A", "B"] : ["B", "A"]
            for name in order {
                let side = name == "A" ? options.a : options.b
                let folder = "\(options.out)/round\(round)-\(name)"
                log("round \(round)/\(options.rounds): \(name) (\(side))")
                let (outcome, _) = try LoadRun.execute(scenario, options: try runOptions(side, folder: folder, options: options)) { _ in }
                if outcome.resultsLost != nil {
                    invalid.append("round\(round)-\(name) (its summary.json could not be written)")
                } else if outcome.summary.isComparable {
                    summaries[name, default: []].append(outcome.summary)
                } else {
                    invalid.append("round\(round)-\(name)")
                }
            }
        }
        let a = summaries["A"] ?? [], b = summaries["B"] ?? []
        guard a.count >= 3, b.count >= 3 else { throw ABError.tooFewValidRuns(a: a.count, b: b.count) }
        var comparison = ABComparison(a: a, b: b, threshold: options.threshold)
        if !invalid.isEmpty { comparison.warnings.append("left out as invalid or stopped: " + invalid.joined(separator: ", ")) }
        let markdown = ABReport.markdown(comparison, a: options.a.description, b: options.b.description, rounds: options.rounds)
        try ResultsFolder.writeText(markdown, toPath: "\(options.out)/ab.md")
        return (comparison, markdown)
    }

    static func runOptions(_ side: ABSide, folder: String, options: ABOptions) throws -> LoadRunOptions {
        var local = options.localTarget
        var run: LoadRunOptions
        switch side {
        case .url(let url):
            run = LoadRunOptions(localTarget: local)
            run.target = .url(url)
            run.truncate = false
            run.use(try ProjectFolder(path: local.project))
        case .project(let path):
            local.project = path
            run = LoadRunOptions(localTarget: local)
            run.use(try ProjectFolder(path: path))
        }
        run.token = options.token
        run.duration = options.duration
        run.out = folder
        return run
    }
}
