import Foundation
import StarlingDisk
import Testing
@testable import StarlingProject

/// How a project is read as Tinybird reads it: blocks, endpoints, copies, shared datasources, the
/// template's parameters, and the `inspect` JSON.
@Suite struct ProjectReadingTests {
    /// A project folder holding `files` (path → text), removed by the caller.
    func project(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-reading-\(UUID().uuidString)")
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return folder.path
    }

    @Test func aBlockEndsOnlyAtAKeywordOfTheFilesKindAtColumnZero() throws {
        let text = """
        DESCRIPTION >
        Pages by day.
        Written flush left.

        NODE pages
        SQL >
        %
            SELECT * FROM events
        # a comment at column 0 stays out of the query
            LIMIT {{ Int32(limit, 10) }}

        NODE paged
        SQL >
            %
        with {{ Int32(page, 0) * 10 }} as page_start
            SELECT * FROM pages

        type Endpoint
        """
        let file = try PipeFile(name: "p", path: "p.pipe", text: text)
        #expect(file.description == "Pages by day.\nWritten flush left.")
        #expect(file.nodes.map(\.name) == ["pages", "paged"])
        #expect(file.nodes[0].sql == "%\n    SELECT * FROM events\n    LIMIT {{ Int32(limit, 10) }}", "a templated block is kept as written, stripped")
        #expect(file.nodes[1].sql == "%\nwith {{ Int32(page, 0) * 10 }} as page_start\n    SELECT * FROM pages")
        #expect(file.nodes[1].type == "endpoint", "keywords are case-insensitive")
        let plain = try PipeFile(name: "q", path: "q.pipe", text: "NODE a\nSQL >\n    SELECT 1\n      FROM t\nTYPE endpoint\n")
        #expect(plain.nodes[0].sql == "SELECT 1\n  FROM t", "other blocks are dedented")
    }

    @Test func aDatasourceBlockEndsAtADatasourceKeyword() throws {
        let text = "DESCRIPTION >\nEvents, one per hit.\nSCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `org` String `json:$.meta.org` DEFAULT ''\nENGINE_SORTING_KEY \"ts\"\n"
        let schema = try DatasourceSchema(name: "e", path: "e.datasource", text: text)
        #expect(schema.description == "Events, one per hit.")
        #expect(schema.columns.map(\.name) == ["ts", "org"] && schema.sortingKey == ["ts"])
        #expect(throws: DatafileError(path: "e.datasource", line: 3, expected: "a KEYWORD at the start of the line (an indented line must belong to a `KEYWORD >` block)")) {
            try DatasourceSchema(name: "e", path: "e.datasource", text: "ENGINE \"MergeTree\"\n\n    `ts` DateTime\n")
        }
    }

    @Test func endpointsCopiesAndSharedDatasources() throws {
        let schema = "SCHEMA >\n    `ts` DateTime,\n    `id` String\n"
        let select = "NODE n\nSQL >\n    SELECT * FROM events\n"
        let path = try project([
            "datasources/events.datasource": schema,
            "datasources/snapshot.datasource": schema,
            "datasources/users.datasource": schema,
            "vendor/shared_ws/datasources/hits.datasource": schema,
            "pipes/classic.pipe": select,
            "pipes/typed.pipe": select + "TYPE endpoint\n",
            "materializations/untyped.pipe": select,
            "pipes/snap.pipe": select + "TYPE copy\nTARGET_DATASOURCE snapshot\nCOPY_SCHEDULE @on-demand\n",
            "copies/seed.pipe": "NODE n\nSQL >\n    SELECT now() AS ts, toString(number) AS id FROM numbers(10)\nTYPE COPY\nTARGET_DATASOURCE users\n",
            "pipes/shared.pipe": "NODE n\nSQL >\n    SELECT count() FROM shared_ws.hits\n",
            "vendor/shared_ws/pipes/theirs.pipe": select + "TYPE endpoint\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = try ProjectFolder(path: path)
        #expect(folder.pipes.keys.sorted() == ["classic", "shared", "typed"], "no TYPE and not under materializations/: the last node is published")
        #expect(folder.copies == [.init(pipe: "seed", target: "users", readsProjectData: false), .init(pipe: "snap", target: "snapshot", readsProjectData: true)])
        #expect(folder.datasources["shared_ws.hits"] != nil)
        #expect(folder.pipes["shared"]?.datasources == ["shared_ws.hits"])
        #expect(folder.eventDatasources.map(\.name) == ["events", "shared_ws.hits", "users"], "a snapshot of project data is written by its copy")
    }

    @Test func requiredOffsetsAndTemplateOnlyParameters() throws {
        let sql = """
        %
        {% set _wide = defined(until) %}
        {% if not defined(dimension) %}{{ error('dimension is required') }}{% end %}
        {% if dimension not in ['org', 'project', ''] %}{{ error('bad dimension') }}{% end %}
        SELECT {{column(dimension, 'org')}} AS d, count() FROM t
        WHERE toStartOfDay({{DateTime(start_date)}}) <= ts
        {% if defined(until) %} AND ts <= {{DateTime(until)}} {% end %}
        LIMIT {{ Int32(skip, 0) }}, {{ Int32(limit, 50) }}
        """
        let spec = PipeSpec(try PipeFile(name: "p", path: "p.pipe", text: "NODE n\nSQL >\n" + sql.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"))
        let dimension = try #require(spec.parameter("dimension"))
        #expect(dimension.required && dimension.allowedValues == ["org", "project"] && dimension.defaultValue == "org")
        #expect(spec.parameter("start_date")?.required == true, "a DateTime without default nobody tests with defined()")
        #expect(spec.parameter("until")?.required == false)
        #expect(spec.parameter("_wide") != nil, "Tinybird lists a set variable with the parameters")
        #expect(spec.parameter("skip").map { $0.isOffset && !$0.isLimit } == true)
        #expect(spec.parameter("limit").map { $0.isLimit && !$0.isOffset } == true)
    }

    @Test func literalsJSONKeyLiteralsJoinsAndRelativeTime() {
        let sql = "SELECT * FROM e JOIN products p ON p.id = e.product WHERE JSONExtractString(payload, 'name') IN ('LCP', 'TTFB') AND device = 'all' AND action = 'page_hit'"
        let literals = TemplateScanner.literalComparisons(in: sql).map { "\($0.column)=\($0.literal)" }
        #expect(literals == ["action=page_hit", "payload.name=LCP", "payload.name=TTFB"], "a sentinel is no value")
        #expect(TemplateScanner.joinedColumns(in: sql).map { "\($0.0)=\($0.1)" } == ["id=product"])
        #expect(TemplateScanner.readsRelativeTime("WHERE timestamp >= now() - interval 1 hour"))
        #expect(TemplateScanner.readsRelativeTime("WHERE date >= timestampAdd(today(), interval -7 day)"))
        #expect(TemplateScanner.readsRelativeTime("WHERE minute == toStartOfMinute(now())"))
        #expect(!TemplateScanner.readsRelativeTime("SELECT now() AS t FROM e WHERE ts >= {{DateTime(start)}}"))
    }

    @Test func inspectionSaysHowTheProjectIsRead() throws {
        let path = try project([
            "datasources/events.datasource": "DESCRIPTION >\n    Hits\nSCHEMA >\n    `ts` DateTime `json:$.at`,\n    `org` String DEFAULT ''\nENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"ts, org\"\n",
            "endpoints/top.pipe": "NODE n\nSQL >\n    %\n    SELECT org FROM events WHERE org = {{String(org)}} {% if defined(b) %}{% end %}\nTYPE ENDPOINT\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try ProjectFolder(path: path).inspectionJSON
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let datasource = try #require((object["datasources"] as? [[String: Any]])?.first)
        #expect(datasource["path"] as? String == "datasources/events.datasource" && datasource["description"] as? String == "Hits")
        let columns = try #require(datasource["columns"] as? [[String: Any]])
        #expect(columns.map { $0["jsonpath"] as? String } == ["$.at", "$.org"])
        #expect(columns[0]["default"] is NSNull && columns[1]["default"] as? String == "''")
        let engine = try #require(datasource["engine"] as? [String: Any])
        #expect(engine["type"] as? String == "MergeTree" && (engine["settings"] as? [String: String])?["ENGINE_SORTING_KEY"] == "ts, org")
        let pipe = try #require((object["pipes"] as? [[String: Any]])?.first)
        #expect(pipe["path"] as? String == "endpoints/top.pipe" && pipe["endpoint"] as? Bool == true)
        #expect(pipe["params"] as? [String] == ["b", "org"])
        let node = try #require((pipe["nodes"] as? [[String: Any]])?.first)
        #expect(node["type"] as? String == "endpoint" && node["datasource"] is NSNull)
        #expect(json.contains("\"columns\" : [") && json.range(of: "\"datasources\"")!.lowerBound < json.range(of: "\"pipes\"")!.lowerBound, "sorted keys")
    }
}

extension ProjectReadingTests {
    @Test func includesAreExpandedAndTypedCallsInsideExpressionsCount() throws {
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `kind` Enum8('view' = 1, 'click' = 2),\n    `country` String\n",
            "includes/filter.incl": "NODE $NODE_NAME\nSQL >\n    SELECT * FROM ${SOURCE} WHERE country != '$NODE_NAMES'\n",
            "endpoints/by_country.pipe": """
            INCLUDE "../includes/filter.incl" "NODE_NAME=with_country" "SOURCE=events"

            NODE paged
            SQL >
                %
            with {{ (Int32(page, 0) + 1) * Int32(page_size, 10) }} as page_end
                SELECT country, {{ label }} AS label FROM with_country LIMIT page_end
            TYPE endpoint
            """,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = try ProjectFolder(path: path)
        let pipe = try #require(folder.pipes["by_country"])
        #expect(pipe.file.nodes.map(\.name) == ["with_country", "paged"])
        #expect(pipe.file.nodes[0].sql == "SELECT * FROM events WHERE country != '$NODE_NAMES'", "the longest name, unknown ones kept")
        #expect(pipe.parameters.map(\.name) == ["page", "page_size", "label"])
        #expect(folder.datasources["events"]?.columns.first?.typeText == "Enum8('view' = 1, 'click' = 2)")
    }
}
