import Foundation
import StarlingProject
import StarlingSim
import Testing
@testable import StarlingRun

/// How freshness probes find a spec-described datasource's events on the target.
@Suite struct FreshnessKeyTests {
    func config(_ schema: String, columns: String = "{}") throws -> SpecConfig {
        let parsed = try DatasourceSchema(name: "events", path: "events.datasource", text: "SCHEMA >\n" + schema + "\n")
        var reader = try ObjectReader(ObjectReader.parse(Data(#"{"columns": \#(columns)}"#.utf8), source: "test"), path: "$")
        return try SpecConfig(schema: parsed, reading: &reader)
    }

    @Test func aUUIDColumnIsTheKeyOnItsOwn() throws {
        let events = try config("    `ts` DateTime,\n    `user_id` String,\n    `event_uuid` UUID")
        #expect(FreshnessTracker.keyColumns(events) == ["event_uuid"])
    }

    @Test func otherwiseTheTimeWithEveryIdColumnNonNullOnly() throws {
        let events = try config("    `ts` DateTime,\n    `user_id` String,\n    `order_ref` String,\n    `coupon_id` Nullable(String),\n    `price` Float64",
                                columns: #"{"order_ref": {"template": "o_{n}"}}"#)
        #expect(FreshnessTracker.keyColumns(events) == ["ts", "user_id", "order_ref"])
        #expect(FreshnessTracker.keyColumns(try config("    `ts` DateTime64(3),\n    `user_id` String")) == nil, "DateTime64 text differs")
        #expect(FreshnessTracker.keyColumns(try config("    `ts` DateTime,\n    `price` Float64")) == nil, "no id column")
    }

    @Test func theKeyOfARowIsWhatTheTargetsExpressionPrints() throws {
        let events = try config("    `ts` DateTime,\n    `user_id` String")
        let tracker = FreshnessTracker(timeout: 1, datasources: [DatasourceConfig(name: "events", share: 1, model: .spec(events))])
        #expect(tracker.keyExpression("events") == "concat(toString(`ts`), '|', toString(`user_id`))")
        #expect(tracker.keyExpression("store_visits") == "visit_id")
    }
}
