import Foundation
import Testing
import StarlingChecks
import StarlingJSON
import StarlingSim

@Suite struct ComparisonTests {
    typealias V = ExpectedValue

    struct Case: Sendable, CustomStringConvertible {
        var expected: ExpectedValue
        var actual: JSONValue
        var matches: Bool

        init(_ expected: ExpectedValue, _ actual: JSONValue, _ matches: Bool) {
            (self.expected, self.actual, self.matches) = (expected, actual, matches)
        }

        var description: String { "\(expected) vs \(actual.description)" }
    }

    static let cases: [Case] = [
        Case(.integer(42), .integer(42), true),
        Case(.integer(42), .double(42), true),
        Case(.integer(42), .number("42.0"), true),
        Case(.integer(42), .number("4.2e1"), true),
        // Exact text: a 64-bit integer answer compares without passing through a double.
        Case(.integer(9_223_372_036_854_775_807), .number("9223372036854775807"), true),
        Case(.integer(9_223_372_036_854_775_806), .number("9223372036854775807"), false),
        Case(.integer(42), .string("42"), true),
        Case(.integer(9_223_372_036_854_775_807), .string("9223372036854775807"), true),
        Case(.integer(9_223_372_036_854_775_807), .double(9.223372036854775807e18), false),
        Case(.integer(42), .double(42.5), false),
        Case(.integer(42), .string("forty-two"), false),
        Case(.string("a"), .string("a"), true),
        Case(.string("a"), .string("A"), false),
        Case(.dateTime(1_740_960_000), .string("2025-03-03 00:00:00"), true),
        Case(.dateTime(1_740_960_000), .string("2025-03-03 00:00:01"), false),
        Case(.float(1e12), .double(1e12 * (1 + 5e-10)), true),
        Case(.float(1e12), .double(1e12 * (1 + 5e-9)), false),
        Case(.float(0.1 + 0.2), .double(0.3), true),
        Case(.rounded2(2.675), .double(2.68), true),
        Case(.rounded2(2.125), .double(2.12), true),
        Case(.rounded2(2.125), .double(2.13), true),
        Case(.rounded2(2.124), .double(2.12), true),
        Case(.rounded2(2.124), .double(2.13), false),
        Case(.rounded2(2.1251), .double(2.12), false),
        Case(.rounded2(12), .integer(12), true),
        Case(.rounded2(0), .string("0"), true),
    ]

    @Test(arguments: cases)
    func cellMatching(_ c: Case) {
        #expect(ResultComparison.matches(c.expected, c.actual) == c.matches)
    }

    @Test func roundingMirrorsClickHouseHalfToEven() {
        // Values checked against the local target's ClickHouse (see DifferentialTests.roundMatchesClickHouse).
        #expect(ClickHouseMath.round2(2.125) == 2.12)
        #expect(ClickHouseMath.round2(0.375) == 0.38)
        #expect(ClickHouseMath.round2(2.675) == 2.68)
        #expect(ClickHouseMath.round2(1.005) == 1)
        #expect(ClickHouseMath.round2(-0.125) == -0.12)
    }

    @Test func multisetsIgnoreOrderButCountDuplicates() {
        let expected = V.multiset([.string("a"), .string("b"), .string("a")])
        #expect(ResultComparison.matches(expected, .array([.string("b"), .string("a"), .string("a")])))
        #expect(!ResultComparison.matches(expected, .array([.string("b"), .string("a"), .string("b")])))
        #expect(!ResultComparison.matches(expected, .array([.string("b"), .string("a")])))
        let nested = V.multiset([.array([.string("x"), .string("y")]), .array([])])
        #expect(ResultComparison.matches(nested, .array([.array([]), .array([.string("x"), .string("y")])])))
        #expect(!ResultComparison.matches(nested, .array([.array([]), .array([.string("y"), .string("x")])])))
        let floats = V.multiset([.float(1), .float(2)])
        #expect(ResultComparison.matches(floats, .array([.double(2.000_000_000_1), .integer(1)])))
    }

    @Test func orderedArraysKeepOrder() {
        #expect(!ResultComparison.matches(.array([.string("a"), .string("b")]), .array([.string("b"), .string("a")])))
    }

    static let expected = [
        ExpectedRow([.init("id", .string("a")), .init("n", .integer(1)), .init("x", .rounded2(1.5))]),
        ExpectedRow([.init("id", .string("b")), .init("n", .integer(2)), .init("x", .rounded2(2.5))]),
    ]

    static func parse(_ json: String) throws -> [[String: JSONValue]] {
        try PipeRows.parse(Array(json.utf8))
    }

    @Test func identicalResultsHaveNoDiff() throws {
        let actual = try Self.parse(#"{"meta":[],"data":[{"id":"a","n":"1","x":1.5},{"id":"b","n":2,"x":2.5}],"rows":2}"#)
        #expect(ResultComparison.diff(expected: Self.expected, actual: actual) == nil)
    }

    @Test func diffNamesRowsColumnsAndCounts() throws {
        let actual = try Self.parse(#"{"data":[{"id":"a","n":1,"x":1.51,"extra":true}]}"#)
        let diff = try #require(ResultComparison.diff(expected: Self.expected, actual: actual))
        #expect(diff.expectedRows == 2 && diff.actualRows == 1 && diff.differingRows == 2)
        let first = try #require(diff.firstDifferences.first)
        #expect(first.index == 0)
        #expect(first.cells.map(\.column) == ["x", "extra"])
        #expect(first.cells[0].expected == "1.5" && first.cells[0].actual == "1.51")
        #expect(diff.firstDifferences[1].cells.allSatisfy { $0.actual == "(no row)" })
        let text = diff.description
        #expect(text.contains("rows: expected 2, actual 1; 2 differ"))
        #expect(text.contains("x: expected 1.5, actual 1.51"))
        let decoded = try JSONDecoder().decode(ResultDiff.self, from: JSONEncoder().encode(diff))
        #expect(decoded == diff)
    }

    @Test func responseBodiesCompareDirectly() throws {
        let body = Data(#"{"data":[{"id":"a","n":1,"x":1.5},{"id":"b","n":2,"x":2.5}],"rows":2}"#.utf8)
        #expect(try ResultComparison.diff(expected: Self.expected, responseJSON: body) == nil)
        #expect(throws: CheckError.self) { try ResultComparison.diff(expected: Self.expected, responseJSON: Data("[]".utf8)) }
    }

    @Test func swappedRowsDiffer() throws {
        let actual = try Self.parse(#"{"data":[{"id":"b","n":2,"x":2.5},{"id":"a","n":1,"x":1.5}]}"#)
        #expect(ResultComparison.diff(expected: Self.expected, actual: actual)?.differingRows == 2)
    }

    @Test func diffReportsOnlyTheFirstRows() throws {
        let many = (0..<20).map { ExpectedRow([.init("n", .integer(Int64($0)))]) }
        let diff = try #require(ResultComparison.diff(expected: many, actual: [], reportLimit: 3))
        #expect(diff.differingRows == 20 && diff.firstDifferences.count == 3)
        #expect(diff.description.contains("17 more differing rows"))
    }

    @Test func malformedResponsesAreErrors() {
        #expect(throws: CheckError.invalidResponse(reason: "no \"data\" array")) { try Self.parse(#"{"rows":0}"#) }
        #expect(throws: CheckError.invalidResponse(reason: "data[0] is not an object")) { try Self.parse(#"{"data":[1]}"#) }
        #expect(throws: CheckError.self) { try Self.parse("not json") }
    }

    @Test func parametersValidateLikeTheTemplates() {
        #expect(throws: CheckError.unknownPipe("nope")) { try PipeOracles.make(pipe: "nope") }
        #expect(throws: CheckError.invalidParameter(pipe: "journey_paths", name: "start_date", value: "2025-13-01 00:00:00",
                                                    expected: "a 'YYYY-MM-DD HH:MM:SS' UTC time")) {
            try PipeOracles.make(pipe: "journey_paths", parameters: ["start_date": "2025-13-01 00:00:00"])
        }
        #expect(throws: CheckError.self) { try PipeOracles.make(pipe: "journey_paths", parameters: ["min_count": "2147483648"]) }
        #expect(PipeOracles.pipes.count == 14)
        #expect(PipeOracles.datasource(of: "touchpoint_funnel") == "customer_touchpoints")
        #expect(PipeParameters(["b": "2", "a": "x y"]).description == "a=x y&b=2")
    }
}
