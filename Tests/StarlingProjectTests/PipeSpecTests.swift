import Foundation
import StarlingDisk
import Testing
@testable import StarlingProject

@Suite struct PipeSpecTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let project: ProjectFolder? = try? ProjectFolder(path: PipeSpecTests.root.appendingPathComponent("scenarios/tinybird").path)

    @Test func readsEveryEndpointOfTheSeedProject() throws {
        let project = try #require(project)
        #expect(project.pipes.count == 14)
        #expect(project.pipes["top_products"]?.parameters.isEmpty == true)
        #expect(project.pipes["journey_paths"]?.datasources == ["customer_touchpoints"], "nodes are not tables")
    }

    @Test func parametersCarryTypeDefaultAndHowTheSQLUsesThem() throws {
        let spec = try #require(project?.pipes["visitor_details"])
        #expect(spec.parameters.map(\.name) == ["visitor_id", "start_date", "end_date", "limit"])
        let visitor = try #require(spec.parameter("visitor_id"))
        #expect(visitor.kind == .string && visitor.equalsColumn == "visitor_id" && !visitor.required)
        let start = try #require(spec.parameter("start_date"))
        #expect(start.kind == .dateTime && start.lowerBoundOf == "timestamp" && start.defaultValue == "2023-01-01 00:00:00")
        #expect(spec.parameter("end_date")?.upperBoundOf == "timestamp")
        let limit = try #require(spec.parameter("limit"))
        #expect(limit.isLimit && limit.function == "Int32" && limit.defaultValue == "100")
        #expect(project?.pipes["customer_journey_details"]?.parameter("customer_id")?.required == true)
        #expect(project?.pipes["journey_paths"]?.parameter("min_count").map { !$0.isLimit && $0.kind == .integer } == true)
    }

    @Test func theOutermostOrderByOfTheOutputNode() throws {
        let project = try #require(project)
        let order = { (pipe: String) in project.pipes[pipe]?.orderBy.map { "\($0.column)\($0.descending ? " DESC" : "")" } ?? [] }
        #expect(order("visitor_details") == ["last_visit DESC", "visitor_id"])
        #expect(order("touchpoint_funnel") == ["funnel_step"], "not the window's ORDER BY")
        #expect(order("top_products") == ["total_revenue DESC", "product_id"])
        #expect(order("total_revenue") == ["time_bin"])
    }

    @Test func aBrokenPipeNamesFileLineAndExpectation() {
        #expect(throws: DatafileError(path: "x.pipe", line: 3, expected: "`SQL >` followed by an indented query")) {
            try PipeFile(name: "x", path: "x.pipe", text: "NODE a\n\nSQL >\n\nTYPE endpoint\n")
        }
        #expect(throws: DatafileError(path: "y.pipe", line: 1, expected: "a KEYWORD at the start of the line (an indented line must belong to a `KEYWORD >` block)")) {
            try PipeFile(name: "y", path: "y.pipe", text: "  SELECT 1\n")
        }
    }

    @Test func templateCallsWithKeywordArgumentsAndQuotes() {
        let found = TemplateScanner.parameters(in: "%\nSELECT * FROM t WHERE a.country = {{String(country, 'a, b', required=True)}} LIMIT {{ Int32(n, 5) }}")
        #expect(found.map(\.name) == ["country", "n"])
        #expect(found[0].defaultValue == "a, b" && found[0].required && found[0].equalsColumn == "country")
        #expect(found[1].isLimit && found[1].defaultValue == "5")
    }

    @Test func arrayParametersKeepTheirElementTypeApartFromTheDefault() {
        let sql = "%\nSELECT * FROM t WHERE t.country NOT IN {{Array(countries, 'String', default='ES,FR')}} AND device in {{Array(devices, 'String')}}"
        let found = TemplateScanner.parameters(in: sql)
        #expect(found.map(\.name) == ["countries", "devices"])
        #expect(found[0].kind == .array && found[0].elementType == "String" && found[0].defaultValue == "ES,FR")
        #expect(found[0].listsColumn == "country" && found[1].listsColumn == "device" && found[1].defaultValue == nil)
    }

    @Test func betweenGivesBothInclusiveBounds() {
        let found = TemplateScanner.parameters(in: "%\nSELECT 1 FROM ev WHERE ev.timestamp BETWEEN {{DateTime(start, '2024-01-01 00:00:00')}}\n    AND {{DateTime(end, '2030-01-01 00:00:00')}} AND x = 1")
        #expect(found.map(\.name) == ["start", "end"])
        #expect(found[0].comparisons == [.init(column: "timestamp", operation: ">=")])
        #expect(found[1].comparisons == [.init(column: "timestamp", operation: "<=")])
        #expect(TemplateScanner.trailingComparison("WHERE a = 1 AND") == nil, "AND alone is no bound")
    }

    @Test func parametersTestedWithDefinedAreMarked() throws {
        let text = "NODE a\nSQL >\n    %\n    SELECT * FROM t WHERE 1\n    {% if defined( path ) %} AND path = {{String(path)}} {% end %}\n    AND day >= {{Date(since, '2025-01-01')}}\n\nTYPE endpoint\n"
        let spec = PipeSpec(try PipeFile(name: "p", path: "p.pipe", text: text))
        #expect(spec.parameter("path")?.testedWithDefined == true)
        #expect(spec.parameter("since")?.testedWithDefined == false)
    }
}
