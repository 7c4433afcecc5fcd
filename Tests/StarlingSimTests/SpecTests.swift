import Foundation
import StarlingJSON
import StarlingProject
import StarlingDisk
import Testing
@testable import StarlingSim

/// Spec-described datasources: the example project's scenario, inferred scenarios, and the errors a
/// user gets for a bad project or spec.
@Suite struct SpecTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = root.appendingPathComponent("scenarios/examples/web-analytics").path

    func webAnalytics() throws -> Scenario {
        let path = Self.example + "/scenario.json"
        return try Scenario(json: try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
    }

    func csvLines(_ config: DatasourceConfig, scenario: Scenario, limit: Int, shard: ShardSpec = .whole) -> [String] {
        var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, shard: shard)
        var encoder = CSVEncoder()
        while stream.produced < limit, stream.encodeNext(into: &encoder) != nil {}
        return String(decoding: encoder.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func objects(_ lines: [String]) throws -> [[String: Any]] {
        try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func sameSeedSameBytesAnotherSeedOthers() throws {
        let scenario = try webAnalytics()
        let config = try #require(scenario.datasources.first)
        let a = lines(config, scenario: scenario, limit: 3000, flushEvery: 1)
        #expect(a.count == 3000)
        #expect(a == lines(config, scenario: scenario, limit: 3000, flushEvery: 331))
        #expect(csvLines(config, scenario: scenario, limit: 3000) == csvLines(config, scenario: scenario, limit: 3000))
        var other = scenario
        other.seed += 1
        #expect(lines(config, scenario: other, limit: 3000) != a)
    }

    @Test(arguments: [1, 2, 3])
    func shardsTogetherAreTheUnshardedOutput(count: Int) throws {
        let scenario = try webAnalytics()
        let config = try #require(scenario.datasources.first)
        let whole = lines(config, scenario: scenario, limit: 2000)
        let wholeCSV = csvLines(config, scenario: scenario, limit: 2000)
        var union: [String] = [], unionCSV: [String] = []
        var users: [Set<String>] = []
        for i in 0..<count {
            let shard = try #require(ShardSpec(parsing: "\(i)/\(count)"))
            let part = lines(config, scenario: scenario, limit: 2000, shard: shard)
            union += part
            unionCSV += csvLines(config, scenario: scenario, limit: 2000, shard: shard)
            users.append(Set(try objects(part).compactMap { $0["user_id"] as? String }))
        }
        #expect(union.sorted() == whole.sorted())
        #expect(unionCSV.sorted() == wholeCSV.sorted())
        for i in users.indices { for j in users.indices where j > i { #expect(users[i].isDisjoint(with: users[j]), "a visitor belongs to one shard") } }
    }

    @Test func nestedPathsShapeTheObjectAndAttributesStayWithTheirEntity() throws {
        let scenario = try webAnalytics()
        let rows = try objects(lines(try #require(scenario.datasources.first), scenario: scenario, limit: 3000))
        var profile: [String: String] = [:]
        var sessions: [String: [(time: String, utm: Any?)]] = [:]
        for row in rows {
            let location = try #require(row["location"] as? [String: Any])
            let utm = try #require(row["utm"] as? [String: Any])
            let user = try #require(row["user_id"] as? String)
            let traits = "\(row["device"] ?? "")|\(location["country"] ?? "")|\(location["city"] ?? "")"
            #expect(profile[user].map { $0 == traits } ?? true, "device, country and city are attributes of the visitor")
            profile[user] = traits
            sessions[try #require(row["session_id"] as? String), default: []].append((try #require(row["timestamp"] as? String), utm["source"]))
        }
        #expect(profile.count > 100)
        #expect(sessions.values.contains { $0.count > 2 }, "sessions have several page views")
        for views in sessions.values {
            #expect(views.map(\.time) == views.map(\.time).sorted(), "a session's views are in time order")
            #expect(views.dropFirst().allSatisfy { $0.utm is NSNull }, "utm fields only on the landing view")
        }
        #expect(sessions.values.contains { !($0[0].utm is NSNull) } && sessions.values.contains { $0[0].utm is NSNull })
    }

    @Test func csvHasOneFieldPerColumnAndNullsAsBackslashN() throws {
        let scenario = try webAnalytics()
        let config = try #require(scenario.datasources.first)
        let rows = csvLines(config, scenario: scenario, limit: 500)
        #expect(rows.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == config.columns.count })
        #expect(rows.contains { $0.contains(",\\N,") })
    }

    @Test func initSpellsOutEverySpecAndReadsBackEqual() throws {
        let text = try Scenario.initText(project: Self.example)
        let scenario = try Scenario(json: Data(text.utf8), source: "init.json")
        guard case .spec(let config)? = scenario.datasources.first?.model else { Issue.record("page_views is spec-described"); return }
        #expect(config.given == Set(config.schema.columns.map(\.name)), "every column spelled out")
        for spec in config.columns { #expect(try FieldSpec(reading: JSONValue.parse(Array(spec.jsonText.utf8)), path: "$") == spec, "\(spec.jsonText)") }
        #expect(scenario.run.queries.map(\.pipe) == ["bounce_rate", "daily_pageviews", "sessions_by_source", "trending_pages"])
        let trending = try #require(scenario.run.queries.last)
        let drawn = Dictionary(uniqueKeysWithValues: trending.parameters.map { ($0.name, $0.sampler) })
        #expect(drawn == ["start_date": .windowStart, "end_date": .windowEnd, "limit": .oneOf(["5", "10", "50"])])
        #expect(scenario.run.queries[1].parameters.first { $0.name == "start_day" }?.sampler == .windowStartDate)
        // bounce_rate filters on pathname only `{% if defined(pathname) %}`: half the requests leave it out.
        #expect(scenario.run.queries[0].parameters.first { $0.name == "pathname" }?.sampler == .sometimes(.seen(column: "pathname"), omitRate: 0.5))
        #expect(try Scenario.inferring(project: Self.example).datasources.map(\.name) == ["page_views"])
    }

    @Test func defaultsFromTypeAndName() {
        #expect(FieldSpec.inferred(name: "user_id", type: .string) == .entity(EntitySpec(name: "user", count: 10_000, zipf: 1, format: "user_{n}")))
        #expect(FieldSpec.inferred(name: "country", type: .lowCardinality(.string)) == .fake(.country))
        #expect(FieldSpec.inferred(name: "created_at", type: .dateTime64(precision: 3)) == .time)
        #expect(FieldSpec.inferred(name: "is_member", type: .bool) == .bool(rate: 0.3))
        #expect(FieldSpec.inferred(name: "has_coupon", type: .integer(bits: 8, signed: false)) == .oneOf([.number("0"), .number("1")], weights: [0.7, 0.3]))
        if case .number(let n)? = FieldSpec.inferred(name: "price", type: .decimal(precision: 10, scale: 2)), case .logNormal = n.distribution {
            #expect(n.decimals == 2)
        } else {
            Issue.record("price is log-normal money")
        }
        #expect(FieldSpec.inferred(name: "state", type: .enumeration(["a", "b"])) == .oneOf([.string("a"), .string("b")], weights: [1, 0.5]))
        if case .oneOf(let values, _)? = FieldSpec.inferred(name: "plan", type: .lowCardinality(.string)) { #expect(values.count == 6) } else { Issue.record("a small set") }
        #expect(FieldSpec.inferred(name: "email", type: .nullable(.string)) == .nullable(.fake(.email), rate: 0.05))
        #expect(FieldSpec.inferred(name: "pair", type: .other("Tuple(String, UInt8)")) == nil)
    }

    @Test func inferredQueriesDrawArraysSometimesLeaveOutTestedFiltersAndSendRequiredDefaults() throws {
        let path = try project("SCHEMA >\n    `ts` DateTime,\n    `country` String,\n    `plan` String\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path + "/endpoints", withIntermediateDirectories: true)
        let pipe = """
        NODE n
        SQL >
            %
            SELECT count() AS c FROM events
            WHERE plan = {{String(tier, 'pro', required=True)}}
            {% if defined(countries) %} AND country IN {{Array(countries, 'String')}} {% end %}
            HAVING c >= {{Int32(min_count, 3, required=True)}}

        TYPE endpoint

        """
        try Data(pipe.utf8).write(to: URL(fileURLWithPath: path + "/endpoints/by_country.pipe"))
        let query = try #require(try Scenario.inferring(project: path).run.queries.first)
        let drawn = Dictionary(uniqueKeysWithValues: query.parameters.map { ($0.name, $0.sampler) })
        #expect(drawn == ["tier": .seen(column: "plan"), "countries": .sometimes(.seenList(column: "country"), omitRate: 0.5),
                          "min_count": .constant("3")])
    }

    @Test func initDrawsTheLiteralsAndJSONKeysThePipesLookFor() throws {
        let path = try project("SCHEMA >\n    `ts` DateTime,\n    `user_id` String,\n    `action` LowCardinality(String),\n    `status` String,\n    `payload` String\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path + "/pipes", withIntermediateDirectories: true)
        let pipe = """
        NODE n
        SQL >
            SELECT JSONExtractString(payload, 'pathname') AS page, JSONExtractInt(payload, 'load-ms') AS ms, count() AS c
            FROM events WHERE action = 'page_hit' AND status NOT IN ('error', 'timeout') AND user_id != 'u_0'
            GROUP BY page, ms

        TYPE endpoint

        """
        try Data(pipe.utf8).write(to: URL(fileURLWithPath: path + "/pipes/pages.pipe"))
        let scenario = try Scenario.inferring(project: path)
        guard case .spec(let config)? = scenario.datasources.first?.model else { Issue.record("events is spec-described"); return }
        let specs = Dictionary(uniqueKeysWithValues: zip(config.schema.columns.map(\.name), config.columns))
        // one_of is an object in the scenario: read back in key order.
        func weights(_ spec: FieldSpec?) -> [String: Double] {
            guard case .oneOf(let values, let weights)? = spec else { return [:] }
            return Dictionary(uniqueKeysWithValues: zip(values.map(\.description), weights))
        }
        #expect(weights(specs["action"]) == ["page_hit": 0.9, "action_other": 0.1])
        let statuses = weights(specs["status"])
        #expect(Set(statuses.keys) == ["error", "timeout", "status_other"] && statuses["error"] == statuses["timeout"], "every literal as likely")
        #expect(specs["user_id"] == FieldSpec.inferred(name: "user_id", type: .string), "an id keeps its entity")
        guard case .json(let fields)? = specs["payload"] else { Issue.record("payload: \(String(describing: specs["payload"]))"); return }
        #expect(fields.map(\.key) == ["load-ms", "pathname"])
        #expect(fields.last?.spec == .fake(.pathname))
        if case .number = fields.first?.spec {} else { Issue.record("load-ms is a number: \(String(describing: fields.first?.spec))") }
    }

    @Test func aParameterOnAMaterializedTargetsColumnIsNotDrawn() throws {
        let path = try project("SCHEMA >\n    `ts` DateTime,\n    `payload` String\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path + "/pipes", withIntermediateDirectories: true)
        let files = [
            "datasources/pages_mv.datasource": "SCHEMA >\n    `day` Date,\n    `pathname` String,\n    `hits` AggregateFunction(count)\n\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"day, pathname\"\n",
            "pipes/pages_mv.pipe": "NODE m\nSQL >\n    SELECT toDate(ts) AS day, JSONExtractString(payload, 'pathname') AS pathname, countState() AS hits\n    FROM events GROUP BY day, pathname\n\nTYPE materialized\nDATASOURCE pages_mv\n",
            "pipes/top_pages.pipe": "NODE e\nSQL >\n    %\n    SELECT pathname, countMerge(hits) AS hits FROM pages_mv\n    WHERE pathname = {{String(pathname, '/')}}\n    GROUP BY pathname ORDER BY hits DESC, pathname\n\nTYPE endpoint\n",
        ]
        for (file, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + file)) }
        // pathname is no column events carry (the materialized pipe computes it): `"$pathname"` would not parse.
        let scenario = try Scenario.inferring(project: path)
        #expect(scenario.datasources.map(\.name) == ["events"])
        #expect(scenario.run.queries.map(\.pipe) == ["top_pages"] && scenario.run.queries[0].parameters.isEmpty)
    }

    /// A project folder with one datasource, for the error tests.
    func project(_ schema: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("datasources"), withIntermediateDirectories: true)
        try Data(schema.utf8).write(to: folder.appendingPathComponent("datasources/events.datasource"))
        return folder.path
    }

    func error(project path: String, columns: String = "{}", extra: String = "") -> String? {
        let json = #"{"format": 1, "project": "\#(path)", "datasources": {"events": {"columns": \#(columns)\#(extra)}}}"#
        do {
            _ = try Scenario(json: Data(json.utf8), source: "s.json")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func badProjectsAndSpecsSayWhatAndWhere() throws {
        let good = try project("SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `user_id` String `json:$.user.id`,\n    `pair` Tuple(String, UInt8) `json:$.pair`\n")
        let pair = try #require(error(project: good))
        #expect(pair.hasPrefix("$.datasources.events.columns.pair: expected a field spec: Starling has no default generator for type Tuple(String, UInt8)"))
        #expect(pair.contains("events.datasource:4"))
        let unknownKey = try #require(error(project: good, columns: #"{"pair": {"value": "x"}, "ts": {"time": true, "colour": 1}}"#))
        #expect(unknownKey.hasPrefix("$.datasources.events.columns.ts.colour: unknown key"))
        let twoKinds = try #require(error(project: good, columns: #"{"pair": {"value": "x"}, "user_id": {"uuid": true, "template": "u_{n}"}}"#))
        #expect(twoKinds.hasPrefix("$.datasources.events.columns.user_id: expected exactly one of"))
        let noColumn = try #require(error(project: good, columns: #"{"pair": {"value": "x"}, "nope": {"uuid": true}}"#))
        #expect(noColumn.hasPrefix("$.datasources.events.columns.nope: expected a column of events"))
        let orphan = try #require(error(project: good, columns: #"{"pair": {"value": "x"}, "user_id": {"attribute_of": "visitor", "fake": "city"}}"#))
        #expect(orphan.hasPrefix("$.datasources.events.columns.user_id: expected attribute_of an entity"))
        let badWeights = try #require(error(project: good, columns: #"{"pair": {"one_of": {"a": -1}}}"#))
        #expect(badWeights.hasPrefix("$.datasources.events.columns.pair.one_of.a: expected a weight"))
        let badState = try #require(error(project: good, columns: #"{"pair": {"value": "x"}}"#,
                                          extra: #", "sessions": {"entity": "user", "states": {"a": {"next": {"b": 1}}}}"#))
        #expect(badState.hasPrefix("$.datasources.events.sessions.states.a.next.b: expected a state (a)"))
        #expect(error(project: good, columns: #"{"pair": {"value": "x"}}"#) == nil)

        let broken = try project("SCHEMA >\n    `ts` DateTime `json:$.ts`,\n    `n` Int33 `json:$.n`\n")
        let unparsable = try #require(error(project: broken))
        #expect(unparsable.contains("events.datasource:3: expected a ClickHouse type for column n"))
        #expect(error(project: "/nonexistent/project")?.hasPrefix("$.project: expected a Tinybird project folder") == true)
    }

    /// Every kind of the README's table, on the column types it names: rows are valid JSON with the
    /// values where and as the types want them, and CSV has one field per column.
    @Test func everyKindWritesValidRowsOfItsColumnsType() throws {
        let path = try project("""
        SCHEMA >
            `ts` DateTime64(3) `json:$.ts`,
            `user_id` String `json:$.user.id`,
            `device` LowCardinality(String) `json:$.user.device`,
            `n` UInt8 `json:$.n`,
            `r` Float64 `json:$.r`,
            `amount` Decimal(10, 2) `json:$.amount`,
            `qty` UInt16 `json:$.qty`,
            `flag` Bool `json:$.flag`,
            `id` UUID `json:$.id`,
            `order_id` String `json:$.order_id`,
            `tags` Array(String) `json:$.tags[:]`,
            `meta` String `json:$.meta`,
            `props` Map(String, UInt32) `json:$.props`,
            `site` Nullable(String) `json:$.site`,
            `day` Date `json:$.day`
        """)
        let columns = #"""
        {"ts": {"time": true}, "user_id": {"entity": "user", "count": 500, "popularity": {"zipf": 1.1}, "format": "user_{n}"},
         "device": {"attribute_of": "user", "one_of": {"mobile": 6, "desktop": 4}}, "n": {"one_of": [1, 2, 5], "weights": [5, 2, 1]},
         "r": {"range": [0, 1], "decimals": 3}, "amount": {"lognormal": {"median": 30, "sigma": 0.8}, "decimals": 2},
         "qty": {"poisson": 2, "min": 1}, "flag": {"bool": 0.3}, "id": {"uuid": true}, "order_id": {"template": "order_{n}"},
         "tags": {"array_of": {"fake": "browser"}, "length": [0, 3]}, "meta": {"json": {"plan": {"one_of": ["free", "pro"]}, "seats": {"poisson": 3}}},
         "props": {"json": {"a": {"range": [1, 9]}}}, "site": {"value": "x", "null_rate": 0.5}, "day": {"time": true}}
        """#
        let json = #"{"format": 1, "project": "\#(path)", "datasources": {"events": {"columns": \#(columns)}}}"#
        let scenario = try Scenario(json: Data(json.utf8), source: "kinds.json")
        let config = try #require(scenario.datasources.first)
        let rows = try objects(lines(config, scenario: scenario, limit: 400))
        #expect(rows.count == 400)
        for row in rows {
            #expect((row["ts"] as? String)?.count == 23, "DateTime64(3) has milliseconds")
            #expect((row["day"] as? String)?.count == 10)
            let user = try #require(row["user"] as? [String: Any])
            #expect((user["id"] as? String)?.hasPrefix("user_") == true && ["mobile", "desktop"].contains(user["device"] as? String ?? ""))
            #expect([1, 2, 5].contains(row["n"] as? Int ?? 0))
            #expect((row["qty"] as? Int ?? 0) >= 1 && row["flag"] is Bool)
            #expect(UUID(uuidString: row["id"] as? String ?? "") != nil)
            #expect((row["tags"] as? [String])?.count ?? 9 <= 3)
            let meta = try #require((row["meta"] as? String).flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(meta["seats"] is Int && ["free", "pro"].contains(meta["plan"] as? String ?? ""))
            #expect((row["props"] as? [String: Int])?["a"].map { (1...9).contains($0) } == true)
            #expect(row["site"] is NSNull || row["site"] as? String == "x")
        }
        #expect(rows.contains { $0["site"] is NSNull } && rows.contains { $0["site"] as? String == "x" })
        let csv = csvLines(config, scenario: scenario, limit: 50)
        #expect(csv.count == 50)
    }
}

@Suite struct SpecNumberTests {
    @Test func inverseNormalMatchesKnownQuantiles() {
        #expect(abs(NumberSpec.inverseNormal(0.5)) < 1e-12)
        #expect(abs(NumberSpec.inverseNormal(0.975) - 1.959_963_985) < 1e-8)
        #expect(abs(NumberSpec.inverseNormal(0.001) + 3.090_232_306) < 1e-8)
        #expect(abs(NumberSpec.inverseNormal(0.02) + 2.053_748_911) < 1e-8, "the tail branch")
        #expect(abs(NumberSpec.inverseNormal(1e-12) + 7.034_483_825) < 1e-6)
    }

    @Test func normalAndLogNormalDrawsHaveTheirMomentsAndMedian() {
        var rng = Xoshiro256(seed: 5)
        let normal = NumberSpec(.normal(mean: 10, sd: 2), decimals: 6)
        let draws = (0..<200_000).map { _ in normal.sample(using: &rng) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let sd = (draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)).squareRoot()
        #expect(abs(mean - 10) < 0.02 && abs(sd - 2) < 0.02)
        let logNormal = NumberSpec(.logNormal(median: 30, sigma: 0.8), decimals: 6)
        let sorted = (0..<200_000).map { _ in logNormal.sample(using: &rng) }.sorted()
        #expect(abs(sorted[sorted.count / 2] - 30) < 0.5)
        #expect(sorted.first ?? 0 > 0)
    }

    @Test func roundingWithoutLibmIsDoubleRounded() {
        var rng = Xoshiro256(seed: 9)
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 0.3, -0.3,
                                0x1p52 - 0.5, -(0x1p52 - 0.5), 0x1p52, 0x1p53 + 2, .infinity, -.infinity, 4503599627370495.5]
        for _ in 0..<100_000 { values.append((rng.unit() - 0.5) * pow(10, Double(rng.below(18)))) }
        let differing = values.filter { $0.roundedInline != $0.rounded() || $0.roundedInline.sign != $0.rounded().sign }
        #expect(differing.isEmpty)
        #expect(Double.nan.roundedInline.isNaN)
    }
}

@Suite struct CompactAliasTests {
    @Test(arguments: [(20_000, 0.8), (7, 0.0), (1, 1.0), (1000, 1.5)])
    func drawsWhatTheAliasTableDraws(count: Int, exponent: Double) throws {
        let zipf = Zipf(count: count, exponent: exponent)
        let compact = try #require(CompactAlias(zipf.table))
        var a = Xoshiro256(seed: 3), b = Xoshiro256(seed: 3)
        let differing = (0..<200_000).filter { _ in compact.sample(using: &a) != zipf.sample(using: &b) }.count
        #expect(differing == 0)
    }
}
