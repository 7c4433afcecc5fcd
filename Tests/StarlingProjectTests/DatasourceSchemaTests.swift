import Foundation
import StarlingDisk
import Testing
@testable import StarlingProject

@Suite struct DatasourceSchemaTests {
    @Test func typesParseWithTheirArguments() {
        #expect(ColumnType(parsing: "LowCardinality(Nullable(String))") == .lowCardinality(.nullable(.string)))
        #expect(ColumnType(parsing: "Map(String, Array(Float64))") == .map(key: .string, value: .array(.float(bits: 64))))
        #expect(ColumnType(parsing: "Decimal(10, 2)") == .decimal(precision: 10, scale: 2))
        // Nesting is bounded (parsing each level copies its inner text: unbounded, it was quadratic).
        let deep = { (n: Int) in String(repeating: "Nullable(", count: n) + "String" + String(repeating: ")", count: n) }
        #expect(ColumnType(parsing: deep(ColumnType.maximumNesting - 1)) != nil)
        #expect(ColumnType(parsing: deep(ColumnType.maximumNesting)) == nil)
        #expect(ColumnType(parsing: deep(10_000)) == nil)
        #expect(ColumnType(parsing: "Decimal64(4)") == .decimal(precision: 18, scale: 4))
        #expect(ColumnType(parsing: "DateTime64(3, 'UTC')") == .dateTime64(precision: 3))
        #expect(ColumnType(parsing: "Enum8('a b' = 1, 'c' = 2)") == .enumeration(["a b", "c"]))
        #expect(ColumnType(parsing: "UInt256") == .integer(bits: 256, signed: false))
        #expect(ColumnType(parsing: "Int7") == nil)
        #expect(ColumnType(parsing: "Strin") == nil)
        #expect(ColumnType(parsing: "Nullable(String") == nil)
        #expect(ColumnType(parsing: "LowCardinality(Nullable(String))")?.base == .string)
        #expect(ColumnType(parsing: "LowCardinality(Nullable(String))")?.isNullable == true)
    }

    @Test func schemaColumnsKeepPathsDefaultsAndLines() throws {
        let text = """
        DESCRIPTION >
            Page views.

        SCHEMA >
            `timestamp` DateTime64(3) `json:$.ts`,
            `site` LowCardinality(String) `json:$.location.site`,
            referrer String DEFAULT 'none, really' `json:$.referrer`,
            `tags` Array(String) `json:$.tags[:]`,
            `amount` Decimal(10, 2) CODEC(ZSTD(1)) `json:$['amount']`,
            `plain` UInt8

        ENGINE "MergeTree"
        ENGINE_SORTING_KEY "site, timestamp"
        ENGINE_TTL "toDate(timestamp) + INTERVAL 30 DAY"
        """
        let schema = try DatasourceSchema(name: "views", path: "views.datasource", text: text)
        #expect(schema.columns.map(\.name) == ["timestamp", "site", "referrer", "tags", "amount", "plain"])
        #expect(schema.columns.map(\.line) == [5, 6, 7, 8, 9, 10])
        #expect(schema.column("site")?.path == [.key("location"), .key("site")])
        #expect(schema.column("site")?.jsonPath == "$.location.site")
        #expect(schema.column("referrer")?.defaultExpression == "'none, really'")
        #expect(schema.column("tags")?.path == [.key("tags"), .everyItem])
        #expect(schema.column("amount")?.type == .decimal(precision: 10, scale: 2))
        #expect(schema.column("amount")?.path == [.key("amount")])
        #expect(schema.column("plain")?.path == [.key("plain")], "no json: the column's own name")
        #expect(schema.sortingKey == ["site", "timestamp"])
        #expect(schema.engineSettings["ENGINE_TTL"] == "toDate(timestamp) + INTERVAL 30 DAY")
        #expect(!schema.isMaterializedTarget)
    }

    @Test func aFileThatCannotBeParsedNamesFileLineAndWhatWasExpected() {
        func error(_ text: String) -> DatafileError? {
            do {
                _ = try DatasourceSchema(name: "d", path: "d.datasource", text: text)
                return nil
            } catch {
                return error
            }
        }
        let badType = error("SCHEMA >\n    `a` String `json:$.a`,\n    `b` Strng `json:$.b`\n")
        #expect(badType?.line == 3)
        #expect(badType?.description.hasPrefix("d.datasource:3: expected a ClickHouse type for column b") == true)
        #expect(error("SCHEMA >\n    `a` String `jsn:$.a`\n")?.description.contains("`json:$.path`") == true)
        #expect(error("SCHEMA >\n    `a` String `json:a.b`\n")?.line == 2)
        #expect(error("ENGINE \"MergeTree\"\n")?.expected.contains("SCHEMA") == true)
        #expect(error("SCHEMA >\n    `a` String,\n    `a` UInt8\n")?.description.contains("defined twice") == true)
    }

    @Test func theExampleProjectsDatasourcesAndMaterializations() throws {
        let root = PipeSpecTests.root.appendingPathComponent("scenarios/examples/web-analytics").path
        let project = try ProjectFolder(path: root)
        #expect(Set(project.datasources.keys) == ["page_views", "daily_pages"])
        #expect(project.eventDatasources.map(\.name) == ["page_views"], "daily_pages is the materialized target")
        #expect(project.materializations.map(\.target) == ["daily_pages"])
        #expect(project.datasources["page_views"]?.column("utm_source")?.type == .lowCardinality(.nullable(.string)))
        #expect(Set(project.pipes.keys) == ["bounce_rate", "daily_pageviews", "sessions_by_source", "trending_pages"])
    }
}
