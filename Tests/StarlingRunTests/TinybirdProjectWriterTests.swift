import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import StarlingApp
import StarlingChecks
import StarlingSim
import Testing
@testable import StarlingRun

@Suite struct TinybirdProjectWriterTests {
    let catalog = ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path])

    func writeProject(_ name: String, events: Int) throws -> (URL, TinybirdProject) {
        let dir = try temporaryDirectory()
        var options = GenerateOptions()
        options.size = .events(events)
        return (dir, try TinybirdProjectWriter.write(try catalog.load(name), options: options, directory: dir.path, pipes: seedPipes()))
    }

    /// Expected texts taken from chdb 26.9 (`FORMAT JSONEachRow`, `output_format_json_quote_64bit_integers=0`).
    @Test func floatsPrintAsClickHouseDoes() {
        let cases: [(Double, String)] = [
            (3, "3"), (0.1 + 0.2, "0.30000000000000004"), (12.5, "12.5"), (1e20, "100000000000000000000"),
            (1e21, "1e21"), (1e-7, "1e-7"), (0.0001, "0.0001"), (0.000001, "0.000001"), (123456789012.5, "123456789012.5"),
            (1e15, "1000000000000000"), (1e16, "10000000000000000"), (1.5e-7, "1.5e-7"), (1.234e25, "1.234e25"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e308"), (123e18, "123000000000000000000"),
            (-1e21, "-1e21"), (-0.0, "-0"), (-5, "-5"), (1.0 / 3, "0.3333333333333333"), (.nan, "null"), (.infinity, "null"),
        ]
        for (value, text) in cases {
            #expect(ClickHouseJSON.float(value) == text, "\(value)")
        }
    }

    @Test func stringsAreEscapedAsClickHouseDoes() {
        var out = ""
        ClickHouseJSON.appendString("/a\"b\\c\n\t\u{01}é€😀<>&", to: &out)
        #expect(out == #""\/a\"b\\c\n\t\u0001é€😀<>&""#)
        out = ""
        ClickHouseJSON.appendString("\u{08}\u{0C}\r\u{7F}\u{1F}\u{2028}", to: &out)
        #expect(out == "\"\\b\\f\\r\u{7F}\\u001F\\u2028\"")
    }

    @Test func rowsKeepColumnOrderAndTypes() {
        let row = ExpectedRow([
            .init("b", .string("x")), .init("a", .integer(-3)), .init("t", .dateTime(1_747_008_000)),
            .init("r", .rounded2(12.345678)), .init("f", .float(2)), .init("tags", .array([.array([.string("p q")]), .array([])])),
        ])
        #expect(ExpectedRow.ndjsonBody([row, row]) == String(repeating: #"{"b":"x","a":-3,"t":"2025-05-12 00:00:00","r":12.35,"f":2,"tags":[["p q"],[]]}"# + "\n", count: 2))
        #expect(ExpectedRow.ndjsonBody([]) == "")
    }

    @Test func yamlUsesLiteralBlocksAndQuotedScalars() {
        let cases = [
            TinybirdTestCase(name: "p_1", description: "say \"hi\"\\", parameters: "a=1&b=x%20y", expectedResult: "{\"a\":1}\n{\"a\":2}\n"),
            TinybirdTestCase(name: "p_2", description: "none", parameters: "", expectedResult: ""),
        ]
        #expect(TinybirdTestYAML.render(cases) == """
        - name: "p_1"
          description: "say \\"hi\\"\\\\"
          parameters: "a=1&b=x%20y"
          expected_result: |
            {"a":1}
            {"a":2}
          expected_http_status: 200

        - name: "p_2"
          description: "none"
          parameters: ""
          expected_result: ""
          expected_http_status: 200

        """)
        #expect(TinybirdTestCase.queryString(["start_date": "2025-05-12 00:00:00", "limit": "5"]) == "limit=5&start_date=2025-05-12%2000%3A00%3A00")
    }

    @Test(.timeLimit(.minutes(1))) func writesFixturesAndOneTestFilePerPipe() throws {
        let (dir, project) = try writeProject("ci-smoke", events: 3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The fixtures are exactly what `generate` writes.
        let plain = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: plain) }
        var options = GenerateOptions()
        options.size = .events(3000)
        options.output = .directory(plain.path)
        for file in try FixtureGenerator.generate(try catalog.load("ci-smoke"), options: options) {
            let fixture = dir.appendingPathComponent("fixtures/\(file.datasource).ndjson")
            #expect(try Data(contentsOf: fixture) == Data(contentsOf: URL(fileURLWithPath: file.path)))
        }
        #expect(project.tests.map(\.pipe) == PipeOracles.pipes)
        // Only answers that round a float sum lying on a half cent are left out, each with its reason.
        for skipped in project.skipped {
            #expect(skipped.reason.contains("within float error of a half cent"))
        }
        #expect(project.skipped.count < project.tests.map(\.cases.count).reduce(0, +))
        #expect(project.warnings.isEmpty)
        for test in project.tests {
            let text = try String(contentsOfFile: dir.appendingPathComponent("tests/\(test.pipe).yaml").path, encoding: .utf8)
            #expect(text == TinybirdTestYAML.render(test.cases))
            #expect(!test.cases.isEmpty)
            for testCase in test.cases where !testCase.expectedResult.isEmpty {
                #expect(testCase.expectedResult.hasSuffix("}\n"))
                #expect(testCase.expectedResult.split(separator: "\n").allSatisfy { $0.hasPrefix("{\"") })
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func sameScenarioGivesSameProject() throws {
        let (a, projectA) = try writeProject("ci-smoke", events: 1500)
        defer { try? FileManager.default.removeItem(at: a) }
        let (b, projectB) = try writeProject("ci-smoke", events: 1500)
        defer { try? FileManager.default.removeItem(at: b) }
        #expect(projectA.tests.map(\.cases) == projectB.tests.map(\.cases))
    }
}

/// The written tests hold on the real engine: every case of every `tests/<pipe>.yaml`, fetched from
/// the local target loaded with the project's fixtures, answers exactly `expected_result`.
@Suite struct TinybirdProjectLiveTests {
    struct YAMLCase: Decodable, Equatable {
        var name: String
        var description: String
        var parameters: String
        var expected_result: String
        var expected_http_status: Int
    }

    /// The test files as PyYAML reads them (what `tb test run` uses), or nil without python3 + yaml.
    func parsedWithPyYAML(_ paths: [String]) throws -> [[YAMLCase]]? {
        let script = "import sys, json, yaml; print(json.dumps([yaml.safe_load(open(p, encoding='utf-8')) for p in sys.argv[1:]]))"
        guard let result = try? run("/usr/bin/env", ["python3", "-c", script] + paths), result.status == 0 else { return nil }
        return try JSONDecoder().decode([[YAMLCase]].self, from: Data(result.output.utf8))
    }

    func request(_ target: LocalTarget, _ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
        let url = try #require(URL(string: "\(target.url)" + path))
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        request.setValue("Bearer \(target.token)", forHTTPHeaderField: "Authorization")
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test(.enabled(if: referencePython != nil, "needs STARLING_PYTHON (scripts/test sets it)"), .timeLimit(.minutes(3)))
    func everyCaseMatchesTheLocalTargetByteForByte() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = GenerateOptions()
        options.size = .events(3000)
        let scenario = try ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path]).load("ci-smoke")
        let project = try TinybirdProjectWriter.write(scenario, options: options, directory: dir.path, pipes: try seedPipes())

        if let parsed = try parsedWithPyYAML(project.tests.map(\.path)) {
            let written = project.tests.map { $0.cases.map { YAMLCase(name: $0.name, description: $0.description, parameters: $0.parameters, expected_result: $0.expectedResult, expected_http_status: $0.expectedHTTPStatus) } }
            #expect(parsed == written)
        }

        let target = try LocalTarget.start(LocalTarget.Options(project: repositoryRoot.appendingPathComponent("scenarios/tinybird").path))
        defer { target.stop() }
        for fixture in project.fixtures {
            let (status, body) = try await request(target, "POST", "/v0/events?name=\(fixture.datasource)&wait=true", body: try Data(contentsOf: URL(fileURLWithPath: fixture.path)))
            #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        }
        var matched = 0
        for test in project.tests {
            for testCase in test.cases {
                let (status, body) = try await request(target, "GET", "/v0/pipes/\(test.pipe).ndjson?\(testCase.parameters)")
                #expect(status == testCase.expectedHTTPStatus, "\(testCase.name)")
                let text = String(decoding: body, as: UTF8.self)
                #expect(text == testCase.expectedResult, "\(testCase.name) \(testCase.parameters)")
                if text == testCase.expectedResult { matched += 1 }
            }
        }
        #expect(matched == project.tests.map(\.cases.count).reduce(0, +))
        #expect(matched >= 40)
    }
}
