import Foundation
import Glibc
import StarlingApp
import StarlingRun
import StarlingSim

enum ProfileCommand: CLICommand {
    static let spec = CommandSpec(
        verb: "profile",
        line: "measure fixtures or a scenario against what its domains declare; exit 2 when off",
        usage: "starling profile <fixtures dir | scenario> [options]",
        summary: """
        Measures what a domain declares about its data, on fixtures or on a scenario's events: per
        datasource, each declared target (conversion rate, dwell median, CTR per channel…) against its
        measurement and tolerance, every other statistic, and the impossibilities no person may show
        (overlapping visits or sessions, more than the daily cap, campaigns off their channel or season,
        referrers off their channel, time spent past the next touchpoint, a widening funnel), with
        examples. A folder holds <datasource>.ndjson or .csv files (as 'starling generate' writes them)
        of store_visits, ecommerce_events and customer_touchpoints; other files are listed as not
        profiled. A scenario is generated in memory and profiled through the same bytes.
        """,
        arguments: [("<fixtures dir | scenario>", "a folder of fixtures (or one <datasource>.ndjson or .csv file), or a scenario file or built-in name (see 'starling scenarios')")],
        options: [
            .value(.scenario, "S", "fixtures only: check the targets this scenario (file or built-in name) declares; default: each domain's built-in defaults"),
            .value(.duration, "D", "a scenario only: profile D of simulated time from its start (90s, 10m, 24h, 7d; default 7d)"),
            .value(.seed, "S", "a scenario only: override its seed"),
            .flag(.json, "print the profile as JSON (keys sorted)"),
        ],
        sections: [
            ("EXAMPLES", """
            starling profile fixtures/
            starling profile fixtures/ --scenario scenarios/ecommerce.json --json
            starling profile fixtures/store_visits.csv
            starling profile ecommerce --duration 14d
            starling profile ci-smoke --duration 1d --seed 3
            """),
            ("EXIT CODES", """
            0 every declared target within tolerance and no impossibility (a target that cannot be measured,
            an unknown statistic or too little data, is listed as "not measured" and does not fail);
            1 usage or bad input (one line names the file and line); 2 a target OUT or an impossibility found.
            """),
        ])

    static func main(_ arguments: [String]) -> Int32 {
        runCommand(spec, arguments) { args in
            let input = try args.positionals(count: 1...1, names: "<fixtures dir | scenario>")[0]
            let report: ProfileReport
            if let fixtures = try fixtures(input) {
                for option in [OptionKey.duration, .seed] where args.value(option) != nil {
                    throw UsageError(verb: "profile", message: "\(option.name) is for a scenario; \(input) holds fixtures")
                }
                let scenario = try args.value(.scenario).map { try ScenarioCatalog().load($0) }
                report = try profile(fixtures, source: input, scenario: scenario)
            } else {
                if args.value(.scenario) != nil {
                    throw UsageError(verb: "profile", message: "--scenario is for fixtures; \(input) is a scenario")
                }
                let seconds = try args.value(.duration, expected: "a duration like 90s, 10m, 24h, 7d") { DurationText.seconds(parsing: $0).flatMap { $0 > 0 ? $0 : nil } }
                let seed = try args.value(.seed, expected: "a non-negative integer") { UInt64($0) }
                let scenario = try ScenarioCatalog().load(input)
                let progress = standardErrorIsTerminal ? ProgressLine() : nil
                report = try ScenarioProfiler.profile(scenario, seconds: seconds ?? 7 * 86_400, seed: seed) { p in
                    progress?.update("\(p.datasource): \(p.rows.formatted()) rows")
                }
                progress?.finish()
                guard !report.datasources.isEmpty else {
                    throw ProfileFileError(message: "scenario \(scenario.name) has no datasource profile knows (\(DatasourceProfiler.datasources.joined(separator: ", ")))")
                }
            }
            if args.flag(.json) {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
            return report.passed ? 0 : 2
        }
    }

    /// Fixture files to profile, each with its path, and the entries of their folder that are not.
    struct Fixtures {
        var files: [(path: String, file: FixtureFiles.File)]
        var skipped: [ProfileReport.Skipped]
    }

    /// The fixture files `input` names — every one of a folder, or one `<datasource>.ndjson|csv` file —
    /// with their paths, and the folder's entries not profiled; nil when `input` is neither (a scenario).
    static func fixtures(_ input: String) throws -> Fixtures? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
            if input.hasSuffix("/") { throw ProfileFileError(message: "\(input): no such folder") }
            return nil
        }
        guard isFolder.boolValue else {
            let name = (input as NSString).lastPathComponent
            guard let file = FixtureFiles.select([name]).files.first else { return nil }
            return Fixtures(files: [(input, file)], skipped: [])
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: input)
        } catch {
            throw ProfileFileError(message: "cannot list \(input): \(error.localizedDescription)")
        }
        let base = input.count > 1 && input.hasSuffix("/") ? String(input.dropLast()) : input
        let folders = Set(entries.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: "\(base)/\($0)", isDirectory: &d) && d.boolValue })
        let (files, skipped) = FixtureFiles.select(entries, folders: folders)
        return Fixtures(files: files.map { ("\(base)/\($0.name)", $0) }, skipped: skipped)
    }

    /// Each fixture file, read in 4 MiB chunks.
    static func profile(_ fixtures: Fixtures, source: String, scenario: Scenario?) throws -> ProfileReport {
        guard !fixtures.files.isEmpty else {
            throw ProfileFileError(message: "\(source): no \(DatasourceProfiler.datasources.joined(separator: ", ")) .ndjson or .csv file")
        }
        let progress = standardErrorIsTerminal ? ProgressLine() : nil
        var profiles: [DatasourceProfile] = []
        var chunk = [UInt8](repeating: 0, count: 4 << 20)
        for (path, file) in fixtures.files {
            guard let (declared, note) = FixtureFiles.declaredTargets(for: file.datasource, scenario: scenario),
                  var profiler = DatasourceProfiler(datasource: file.datasource, format: file.format, source: path, declared: declared)
            else { continue }
            if let note { profiler.notes.append(note) }
            try read(path, chunk: &chunk) { (bytes) throws(ProfileInputError) in
                try profiler.consume(bytes)
                progress?.update("\(file.name): \(profiler.rows.formatted()) rows")
            }
            profiles.append(try profiler.finish())
        }
        progress?.finish()
        return ProfileReport(source: source, datasources: profiles, notProfiled: fixtures.skipped)
    }
}

extension ProfileCommand {
    /// Reads the file at `path` through `chunk` (reused: no allocation per read), retrying on EINTR.
    static func read(_ path: String, chunk: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(ProfileInputError) -> Void) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ProfileFileError(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ProfileFileError(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { return }
            try chunk.withUnsafeBufferPointer { (all) throws(ProfileInputError) in try body(UnsafeBufferPointer(rebasing: all[..<count])) }
        }
    }
}

/// A fixtures folder or file that cannot be read: exit 1 with this line.
struct ProfileFileError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
