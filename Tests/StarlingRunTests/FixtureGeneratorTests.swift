import Foundation
@testable import StarlingApp
import StarlingSim
import Testing
@testable import StarlingRun

@Suite struct FixtureGeneratorTests {
    let catalog = ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path])

    func generate(_ name: String, _ configure: (inout GenerateOptions) -> Void) throws -> (URL, [GeneratedFile]) {
        let dir = try temporaryDirectory()
        var options = GenerateOptions()
        options.output = .directory(dir.path)
        configure(&options)
        return (dir, try FixtureGenerator.generate(try catalog.load(name), options: options))
    }

    @Test func writesOneFilePerDatasourceWithTheRequestedCount() throws {
        let (dir, files) = try generate("ci-smoke") { $0.size = .events(3001) }
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(files.map(\.datasource) == ["store_visits", "ecommerce_events", "customer_touchpoints"])
        #expect(files.map(\.events).reduce(0, +) == 3001)
        for file in files {
            let text = try String(contentsOfFile: file.path, encoding: .utf8)
            #expect(text.split(separator: "\n").count == file.events)
            #expect(text.utf8.count == file.bytes)
        }
    }

    @Test func outputDoesNotDependOnTheFlushSize() throws {
        let (a, filesA) = try generate("ci-smoke") { $0.flushBytes = 1 }
        let (b, filesB) = try generate("ci-smoke") { $0.flushBytes = 1 << 22 }
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        for (x, y) in zip(filesA, filesB) {
            #expect(FileManager.default.contents(atPath: x.path) == FileManager.default.contents(atPath: y.path))
        }
    }

    @Test(arguments: [1, 2, 3, 7])
    func shardFilesTogetherEqualTheWholeOutput(count: Int) throws {
        let (whole, files) = try generate("ci-smoke") { $0.size = .events(2400) }
        defer { try? FileManager.default.removeItem(at: whole) }
        var shardLines: [String: [Substring]] = [:]
        for i in 0..<count {
            let (dir, shardFiles) = try generate("ci-smoke") {
                $0.size = .events(2400)
                $0.shard = ShardSpec(parsing: "\(i)/\(count)") ?? .whole
            }
            defer { try? FileManager.default.removeItem(at: dir) }
            for file in shardFiles {
                shardLines[file.datasource, default: []] += try String(contentsOfFile: file.path, encoding: .utf8).split(separator: "\n")
            }
        }
        for file in files {
            let expected = try String(contentsOfFile: file.path, encoding: .utf8).split(separator: "\n")
            #expect(shardLines[file.datasource, default: []].sorted() == expected.sorted(), "\(file.datasource) n=\(count)")
        }
    }

    @Test func csvHasAHeaderAndOneLinePerEvent() throws {
        let (dir, files) = try generate("ci-smoke") {
            $0.format = .csv
            $0.datasources = ["store_visits"]
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try String(contentsOfFile: try #require(files.first).path, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "visit_id,store_id,timestamp,visitor_id,entry_point,exit_point,dwell_time_seconds,tags")
        #expect(lines.count == files[0].events + 1)
    }

    @Test func unknownDatasourceIsAClearError() throws {
        #expect(throws: GenerateError.unknownDatasource("orders", available: ["store_visits", "ecommerce_events", "customer_touchpoints"])) {
            _ = try generate("ci-smoke") { $0.datasources = ["orders"] }
        }
    }

    /// Every generated row loads into the real schema on ClickHouse with strict parsing.
    @Test(.enabled(if: referencePython != nil, "needs STARLING_PYTHON (scripts/test sets it)"), .timeLimit(.minutes(3)),
          arguments: ["ci-smoke", "foot-traffic", "ecommerce", "customer-journey"])
    func everyRowLoadsIntoClickHouse(scenario: String) throws {
        let (dir, files) = try generate(scenario) { $0.size = .events(5000) }
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try run(try #require(referencePython), [
            repositoryRoot.appendingPathComponent("scripts/ci/fixtures-load-check.py").path,
            repositoryRoot.appendingPathComponent("scenarios/tinybird").path, dir.path,
        ])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        for file in files {
            #expect(result.output.contains("\(file.datasource) \(file.events) \(file.events)"), "\(result.output)")
        }
    }
}
