import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// `RowPlan.swift` compiles each spec row into literals and specialised steps (choices, attributes,
/// entity ids, templates, timestamps, fixed values); the interpreter alone (`RowPlans(interpreted:)`,
/// every column a general step) is the reference. Every kind of column, every session state (with
/// its overrides), NDJSON and CSV: the bytes must be the same, row for row. A swapped fragment or a
/// wrong form writes valid rows of the wrong values, which only this comparison sees.
@Suite struct RowPlanTests {
    static let schema = """
    SCHEMA >
        `ts` DateTime64(3) `json:$.ts`,
        `day` Date `json:$.day`,
        `second` DateTime `json:$.second`,
        `user_id` String `json:$.user.id`,
        `device` LowCardinality(String) `json:$.user.device`,
        `country` String `json:$.user.country`,
        `n` UInt8 `json:$.n`,
        `r` Float64 `json:$.r`,
        `amount` Decimal(10, 2) `json:$.amount`,
        `qty` UInt16 `json:$.qty`,
        `flag` Bool `json:$.flag`,
        `id` UUID `json:$.id`,
        `order_id` String `json:$.order_id`,
        `page` String `json:$.page`,
        `label` String `json:$.label`,
        `quoted` String `json:$.quoted`,
        `tags` Array(String) `json:$.tags[:]`,
        `meta` String `json:$.meta`,
        `props` Map(String, UInt32) `json:$.props`,
        `site` Nullable(String) `json:$.site`,
        `constant` String `json:$.constant`,
        `step` String `json:$.step`,
        `browser` String `json:$.browser`,
        `seller` String `json:$.seller`
    """

    static let columns = #"""
    {"ts": {"time": true}, "day": {"time": true}, "second": {"time": true},
     "user_id": {"entity": "user", "count": 300, "popularity": {"zipf": 1.1}, "format": "user_{n}"},
     "device": {"attribute_of": "user", "one_of": {"mobile": 6, "desktop": 4, "tab\"let": 1}},
     "country": {"attribute_of": "user", "fake": "country"},
     "n": {"one_of": [1, 2, 5], "weights": [5, 2, 1]}, "r": {"range": [0, 1], "decimals": 3},
     "amount": {"lognormal": {"median": 30, "sigma": 0.8}, "decimals": 2}, "qty": {"poisson": 2, "min": 1},
     "flag": {"bool": 0.3}, "id": {"uuid": true}, "order_id": {"template": "order_{n}"},
     "page": {"template": "/p/{n}/x"}, "label": {"one_of": ["a,b", "c\"d", "plain", "new\nline"]},
     "quoted": {"value": "say \"hi\", then go"},
     "tags": {"array_of": {"fake": "browser"}, "length": [0, 3]}, "meta": {"json": {"plan": {"one_of": ["free", "pro"]}, "seats": {"poisson": 3}}},
     "props": {"json": {"a": {"range": [1, 9]}}}, "site": {"value": "x", "null_rate": 0.5}, "constant": {"value": "same"},
     "step": {"value": "none"}, "browser": {"fake": "browser"},
     "seller": {"entity": "seller", "count": 40, "format": "s-{n}"}}
    """#

    static let sessions = #"""
    {"entity": "user", "start": {"landing": 0.7, "search": 0.3}, "max_events": 12,
     "states": {
       "landing": {"emit": {"step": {"value": "landing"}, "page": {"template": "/land/{n}"}}, "next": {"browse": 0.6, "end": 0.4},
                   "gap": {"lognormal": {"median": 30, "sigma": 0.9}, "min": 1}},
       "search": {"emit": {"step": {"one_of": ["q1", "q,2"]}, "label": {"attribute_of": "user", "one_of": ["x", "y"]}}, "next": {"browse": 0.7, "end": 0.3}},
       "browse": {"next": {"browse": 0.5, "search": 0.1, "end": 0.4}, "gap": {"lognormal": {"median": 50, "sigma": 1}}}
     }}
    """#

    func config(withSessions: Bool) throws -> (Scenario, DatasourceConfig) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starling-rowplan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("datasources"), withIntermediateDirectories: true)
        try Data(Self.schema.utf8).write(to: folder.appendingPathComponent("datasources/events.datasource"))
        let extra = withSessions ? #", "sessions": \#(Self.sessions)"# : ""
        let json = #"{"format": 1, "project": "\#(folder.path)", "seed": 11, "datasources": {"events": {"sessions_per_hour": 3600, "columns": \#(Self.columns)\#(extra)}}}"#
        let scenario = try Scenario(json: Data(json.utf8), source: "rowplan.json")
        return (scenario, try #require(scenario.datasources.first))
    }

    /// The first `count` rows of a stream of `model`, written in NDJSON and in CSV.
    func rows(_ model: SpecModel, scenario: Scenario, count: Int) -> (ndjson: [UInt8], csv: [UInt8]) {
        var stream = EventStream(model: model, seed: scenario.seed, start: scenario.start)
        var json = NDJSONEncoder(capacity: 1 << 16), csv = CSVEncoder(capacity: 1 << 16)
        for _ in 0..<count {
            guard let (record, _) = stream.nextRecordAndOwner() else { break }
            stream.model.encode(record, into: &json, timestamp: nil)
            stream.model.encode(record, into: &csv, timestamp: nil)
        }
        return (json.bytes, csv.bytes)
    }

    @Test(arguments: [false, true])
    func compiledPlansWriteWhatTheInterpreterWrites(withSessions: Bool) throws {
        let (scenario, config) = try config(withSessions: withSessions)
        guard case .spec(let spec) = config.model else {
            Issue.record("not a spec datasource")
            return
        }
        let planned = rows(SpecModel(config: spec, seed: scenario.seed), scenario: scenario, count: 3000)
        let interpreted = rows(SpecModel(config: spec, seed: scenario.seed, interpreted: true), scenario: scenario, count: 3000)
        let plannedLines = planned.ndjson.split(separator: UInt8(ascii: "\n"))
        #expect(plannedLines.count == 3000)
        for (i, (a, b)) in zip(plannedLines, interpreted.ndjson.split(separator: UInt8(ascii: "\n"))).enumerated() where a != b {
            Issue.record("row \(i + 1) differs:\n  plan: \(String(decoding: a, as: UTF8.self))\n  interpreter: \(String(decoding: b, as: UTF8.self))")
            break
        }
        #expect(planned.ndjson == interpreted.ndjson)
        #expect(planned.csv == interpreted.csv)
        // The plan is not the interpreter under another name: it compiled specialised steps.
        let plans = SpecModel(config: spec, seed: scenario.seed).tables.plans
        #expect(plans.steps.contains { $0.action == .choice } && plans.steps.contains { $0.action == .attribute }
                && plans.steps.contains { $0.action == .number } && plans.steps.contains { $0.action == .time })
        let reference = SpecModel(config: spec, seed: scenario.seed, interpreted: true).tables.plans
        #expect(reference.steps.allSatisfy { $0.action == .general || $0.action == .end })
    }
}
