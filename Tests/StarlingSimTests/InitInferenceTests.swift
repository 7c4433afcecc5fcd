import Foundation
import StarlingProject
import StarlingDisk
import Testing
@testable import StarlingSim

/// What `init` infers from the pipes of a project: one entity per population, columns nested under
/// another's path, live time for pipes that look near now(), the values the pipes match.
@Suite struct InitInferenceTests {
    /// A project folder holding `files` (path → text), removed by the caller.
    func project(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-init-\(UUID().uuidString)")
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return folder.path
    }

    func specs(_ scenario: Scenario, _ datasource: String) -> [String: FieldSpec] {
        guard let config = scenario.datasources.first(where: { $0.name == datasource }), case .spec(let spec) = config.model else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(spec.schema.columns.map(\.name), spec.columns))
    }

    @Test func columnsNamedForOnePopulationShareItsDefinition() throws {
        let path = try project(["datasources/llm.datasource": "SCHEMA >\n    `ts` DateTime,\n    `user` String,\n    `user_id` String,\n    `message` String,\n    `message_id` String\n"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let specs = specs(try Scenario.inferring(project: path), "llm")
        #expect(specs["user"] == specs["user_id"], "one entity user, one definition")
        #expect(specs["message"] == specs["message_id"])
    }

    @Test func aColumnWhosePathOthersExtendIsWrittenAsTheirObject() {
        let steps = LayoutStep.plan([[.key("meta")], [.key("meta"), .key("org")], [.key("ts")]])
        #expect(steps == [.literal(Array(#"{"meta":{"org":"#.utf8)), .column(1), .literal(Array(#"},"ts":"#.utf8)), .column(2), .literal(Array("}\n".utf8))])
    }

    @Test func pipesLookingNearNowMakeTimeLiveAndSayWhy() throws {
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `timestamp` DateTime,\n    `action` String\n",
            "endpoints/recent.pipe": "NODE n\nSQL >\n    SELECT count() FROM events WHERE timestamp >= now() - interval 1 hour\nTYPE endpoint\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try Scenario.initText(project: path)
        #expect(text.contains("\"event_time\": \"live\""))
        #expect(text.contains("endpoint recent filters relative to now() or today()"))
    }

    @Test func requiredParametersOffsetsAndAcceptedValuesAreSent() throws {
        let pipe = """
        NODE n
        SQL >
        %
            {% if not defined(dimension) %}{{ error('dimension is required') }}{% end %}
            {% if dimension not in ['action', 'country'] %}{{ error('bad') }}{% end %}
            SELECT {{column(dimension, 'action')}} AS d, count() AS c FROM events
            WHERE toStartOfDay(timestamp) >= toStartOfDay({{DateTime(start_date)}}) AND toStartOfDay(timestamp) <= {{DateTime(end_date)}}
            GROUP BY d ORDER BY c DESC
            LIMIT {{ Int32(skip, 0) }}, {{ Int32(limit, 50) }}
        TYPE endpoint
        """
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `timestamp` DateTime,\n    `action` String,\n    `country` String\n",
            "endpoints/by.pipe": pipe,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let query = try #require(try Scenario.inferring(project: path).run.queries.first)
        let drawn = Dictionary(uniqueKeysWithValues: query.parameters.map { ($0.name, $0.sampler) })
        #expect(drawn == ["dimension": .oneOf(["action", "country"]), "start_date": .windowStart, "end_date": .windowEnd,
                          "skip": .constant("0"), "limit": .oneOf(["5", "10", "50"])])
    }

    @Test func windowBoundsTravelTogetherAndNumericArraysAreNotDrawn() throws {
        let pipe = """
        NODE n
        SQL >
        %
            SELECT count() FROM events WHERE 1
            {% if defined(date_from) %} AND day >= {{Date(date_from)}} AND day <= {{Date(date_to)}} {% end %}
            {% if defined(embedding) %} AND cosineDistance(vector, {{Array(embedding, 'Float32')}}) < 0.5 {% end %}
        TYPE endpoint
        """
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `day` Date,\n    `embedding` Array(Float32)\n",
            "endpoints/days.pipe": pipe,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let query = try #require(try Scenario.inferring(project: path).run.queries.first)
        let drawn = Dictionary(uniqueKeysWithValues: query.parameters.map { ($0.name, $0.sampler) })
        #expect(drawn == ["date_from": .windowStartDate, "date_to": .windowEndDate], "day_diff(date_from, date_to) needs both")
    }

    @Test func anOptionalDateEndOnATimestampIsLeftOut() throws {
        let pipe = "NODE n\nSQL >\n    %\n    SELECT count() FROM events WHERE ts >= {{Date(from_date)}}\n    {% if defined(to_date) %} AND ts <= {{Date(to_date)}} {% end %}\nTYPE endpoint\n"
        let path = try project(["datasources/events.datasource": "SCHEMA >\n    `ts` DateTime\n", "endpoints/hits.pipe": pipe])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let query = try #require(try Scenario.inferring(project: path).run.queries.first)
        #expect(query.parameters.map(\.name) == ["from_date"], "ts <= to_date would stop at the end day's midnight")
    }

    @Test(arguments: [
        ("browsername", FieldSpec.fake(.browser)), ("osname", .fake(.os)), ("devicetype", .fake(.device)), ("useragent", .fake(.userAgent)),
        ("latitude", .number(NumberSpec(.uniform(min: -55, max: 70), decimals: 5))),
    ])
    func textColumnsNamedForAVocabularyDrawIt(name: String, spec: FieldSpec) {
        #expect(FieldSpec.inferred(name: name, type: .string) == spec)
    }

    @Test func theValuesPipesMatchJSONKeysSentinelsVocabulariesAndJoins() throws {
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `timestamp` DateTime,\n    `product` String,\n    `segment` String,\n    `payload` String,\n    `method` String,\n    `level` LowCardinality(String)\n",
            "datasources/products.datasource": "SCHEMA >\n    `id` String,\n    `name` String\n",
            "endpoints/vitals.pipe": """
            NODE n
            SQL >
                SELECT count() FROM events e JOIN products p ON p.id = e.product
                WHERE JSONExtractString(payload, 'name') IN ('LCP', 'TTFB') AND segment IN ('all', 'mobile', 'desktop')
            TYPE endpoint
            """,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scenario = try Scenario.inferring(project: path)
        let events = specs(scenario, "events")
        guard case .json(let fields)? = events["payload"], case .oneOf(let names, _)? = fields.first?.spec else {
            Issue.record("payload's name draws the literals: \(String(describing: events["payload"]))"); return
        }
        #expect(Set(names.map(\.description)) == ["LCP", "TTFB", "name_other"])
        guard case .oneOf(let devices, let weights)? = events["segment"] else { Issue.record("segment: \(String(describing: events["segment"]))"); return }
        let deviceWeights = Dictionary(uniqueKeysWithValues: zip(devices.map(\.description), weights))
        #expect(Set(deviceWeights.keys) == ["mobile", "desktop", "segment_other"] && deviceWeights["mobile"] == deviceWeights["desktop"], "no sentinel, real values weigh alike")
        guard case .oneOf(let methods, _)? = events["method"], case .oneOf(let levels, _)? = events["level"] else { Issue.record("vocabularies"); return }
        #expect(methods.map(\.description).contains("GET") && levels.map(\.description).contains("ERROR"))
        let product = EntitySpec(name: "product", count: 10_000, zipf: 1.0, format: "product_{n}")
        #expect(events["product"] == .entity(product) && specs(scenario, "products")["id"] == .entity(product), "joined ids meet")
    }

    @Test func aTypedCallWithoutDefaultMakesItsParameterRequiredAndSent() throws {
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `ts` DateTime,\n    `payload` String\n",
            "endpoints/recent.pipe": "NODE n\nSQL >\n    %\n    {% set hrs = UInt16(hours_param) %}\n    SELECT count() AS n, {{hrs}} AS h FROM events WHERE ts > now() - interval {{ UInt16(hours_param, 48) }} hour\n\nTYPE endpoint\n",
            "endpoints/guarded.pipe": "NODE n\nSQL >\n    %\n    SELECT count() AS n FROM events {% if defined(page) %} LIMIT {{Int32(page)}} {% end %}\n\nTYPE endpoint\n",
            "endpoints/parsed.pipe": "NODE n\nSQL >\n    SELECT parseDateTimeBestEffort(JSONExtractString(payload, 'datetime')) AS t FROM events ORDER BY t\n\nTYPE endpoint\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try Scenario.initText(project: path)
        #expect(text.contains(#"{"pipe": "recent", "rate": 1, "parameters": {"hours_param": "48"}}"#), "\(text)")
        #expect(!text.contains(#""page": "1""#), "a parameter defined() guards stays optional")
        #expect(text.contains(#""datetime": {"time": true}"#), "a JSON key named as a time holds the event time")
    }

    @Test func aWholeRowJSONColumnIsTheRowTheOtherColumnsMake() throws {
        let path = try project(["datasources/auth.datasource": "SCHEMA >\n    `event_time` DateTime64(3) `json:$.ingested_at`,\n    `event_type` String `json:$.data.type`,\n    `event` JSON `json:$` DEFAULT '{}'\n"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scenario = try Scenario.inferring(project: path)
        #expect(specs(scenario, "auth")["event"] == .json([]))
        let text = try Scenario.initText(project: path)
        #expect(text.contains(#""event": {"json": {}}"#), "\(text)")
    }

    @Test func aParameterOnAViewsRenamedColumnDrawsTheSentOne() throws {
        let path = try project([
            "datasources/events.datasource": "SCHEMA >\n    `ts` DateTime,\n    `name` String,\n    `session_id` String\n",
            "datasources/stats.datasource": "SCHEMA >\n    `player_id` String,\n    `games` AggregateFunction(count)\n\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"player_id\"\n",
            "pipes/mat.pipe": "NODE n\nSQL >\n    SELECT name AS player_id, countState() AS games FROM events GROUP BY player_id\n\nTYPE materialized\nDATASOURCE stats\n",
            "pipes/player.pipe": "NODE n\nSQL >\n    %\n    SELECT player_id, countMerge(games) AS n FROM stats WHERE player_id = {{String(player, 'player1', required=True)}} GROUP BY player_id\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try Scenario.initText(project: path)
        #expect(text.contains(#""parameters": {"player": "$name"}"#), "\(text)")
    }
}
