import Foundation
import StarlingDisk
import Testing
import StarlingChecks
import StarlingJSON
import StarlingProject
import StarlingSim
@testable import StarlingRun

/// How a reference replay's answer becomes the expected result the target's is compared with.
@Suite struct ReferenceReplayTests {
    func row(_ page: String, _ views: Int64, _ share: Double, tags: [String] = []) -> [String: JSONValue] {
        ["page": .string(page), "views": .integer(views), "share": .double(share), "tags": .array(tags.map { .string($0) })]
    }

    @Test func rowsTiedOnEveryOrderByColumnMayComeInAnyOrder() {
        let reference = [row("/a", 5, 0.5), row("/b", 3, 0.3), row("/c", 3, 0.2), row("/d", 1, 0.1)]
        let expected = ReferenceReplay.expected(from: reference, orderBy: ["views"])
        #expect(expected.interchangeable == [1..<3])
        let swapped = [reference[0], reference[2], reference[1], reference[3]]
        #expect(ResultComparison.diff(expected: expected, actual: swapped) == nil, "a tie on views: either order")
        let reordered = [reference[1], reference[0], reference[2], reference[3]]
        #expect(ResultComparison.diff(expected: expected, actual: reordered) != nil, "the ORDER BY column is not tied there")
        #expect(ResultComparison.diff(expected: expected, actual: Array(reference.dropLast())) != nil, "a missing row")
    }

    @Test func withoutOrderByTheAnswerIsAMultiset() {
        let reference = [row("/a", 5, 0.5), row("/b", 3, 0.3)]
        let expected = ReferenceReplay.expected(from: reference, orderBy: [])
        #expect(ResultComparison.diff(expected: expected, actual: reference.reversed()) == nil)
        #expect(ReferenceReplay.expected(from: [], orderBy: []).rows.isEmpty)
    }

    @Test func cellsCompareWithTheOraclesRules() {
        let expected = ReferenceReplay.expected(from: [row("/a", 5, 0.1 + 0.2, tags: ["x", "y"])], orderBy: ["views"])
        let close = [row("/a", 5, 0.3, tags: ["y", "x"])]
        #expect(ResultComparison.diff(expected: expected, actual: close) == nil, "floats within tolerance, arrays as multisets")
        #expect(ResultComparison.diff(expected: expected, actual: [row("/a", 6, 0.3, tags: ["x", "y"])]) != nil)
        let nulls = ReferenceReplay.expected(from: [["source": .null, "flag": .bool(true)]], orderBy: [])
        #expect(ResultComparison.diff(expected: nulls, actual: [["source": .null, "flag": .bool(true)]]) == nil)
        #expect(ResultComparison.diff(expected: nulls, actual: [["source": .string(""), "flag": .bool(true)]]) != nil, "NULL is not an empty string")
    }

    @Test func pipesWithoutAnOracleAreTheReferencesAlone() throws {
        let project = try ProjectFolder(path: repositoryRoot.appendingPathComponent("scenarios/examples/web-analytics").path)
        #expect(ReferenceReplay.unoraclePipes(project.pipes, sent: ["page_views"]) == ["bounce_rate", "daily_pageviews", "sessions_by_source", "trending_pages"])
        #expect(ReferenceReplay.datasource(of: project.pipes["daily_pageviews"], sent: ["page_views"]) == "page_views", "a materialized target's pipe draws from what feeds it")
        let seeds = try ProjectFolder(path: repositoryRoot.appendingPathComponent("scenarios/tinybird").path)
        #expect(ReferenceReplay.unoraclePipes(seeds.pipes, sent: ["store_visits"]).isEmpty)
    }
}

/// A LIMIT cutting a tie keeps any of the tied rows: only the ORDER BY columns are compared there.
@Suite struct ReferenceLimitEdgeTests {
    func row(_ location: String, _ visits: Int64) -> [String: JSONValue] { ["location": .string(location), "visits": .integer(visits)] }

    @Test func rowsTiedAtTheEdgesAreComparedOnTheirOrderByColumns() throws {
        let reference = [row("a", 9), row("b", 9), row("c", 7), row("d", 5), row("e", 3), row("f", 3)]
        let target = [row("z", 9), row("b", 9), row("c", 7), row("d", 5), row("e", 3), row("y", 3)]
        let (r, t) = try #require(ReferenceReplay.determinedAtEdges(reference, target, orderBy: ["visits"]))
        #expect(ResultComparison.diff(expected: ReferenceReplay.expected(from: r, orderBy: ["visits"]), actual: t) == nil)
        let middle = [row("a", 9), row("b", 9), row("x", 7), row("d", 5), row("e", 3), row("f", 3)]
        let (r2, t2) = try #require(ReferenceReplay.determinedAtEdges(reference, middle, orderBy: ["visits"]))
        #expect(ResultComparison.diff(expected: ReferenceReplay.expected(from: r2, orderBy: ["visits"]), actual: t2) != nil, "a row inside is determined")
        let counts = [row("a", 9), row("b", 9), row("c", 7), row("d", 5), row("e", 3), row("f", 2)]
        let (r3, t3) = try #require(ReferenceReplay.determinedAtEdges(reference, counts, orderBy: ["visits"]))
        #expect(ResultComparison.diff(expected: ReferenceReplay.expected(from: r3, orderBy: ["visits"]), actual: t3) != nil, "ORDER BY values are determined")
        #expect(ReferenceReplay.determinedAtEdges(reference, Array(target.dropLast()), orderBy: ["visits"]) == nil)
    }
}
