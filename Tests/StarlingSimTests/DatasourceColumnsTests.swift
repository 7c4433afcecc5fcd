import Foundation
import Testing
@testable import StarlingSim

/// A seed datasource's column names are declared once, beside its event's `encode`
/// (`StoreVisit.columns`, `CommerceEvent.columns`, `Touchpoint.columns`): `encode` writes exactly
/// those keys in that order, and `value(ofColumn:)` answers with what `encode` wrote, for every
/// text column (the time column and a JSON document apart) and for no other name.
@Suite struct DatasourceColumnsTests {
    /// The top-level keys of one NDJSON line, in order.
    static func keys(_ line: String) -> [String] {
        line.matches(of: /[{,]"([a-z_]+)":/).map { String($0.output.1) }
    }

    @Test(arguments: [("foot-traffic", "store_visits"), ("ecommerce", "ecommerce_events"), ("customer-journey", "customer_touchpoints")])
    func encodeAndValueOfColumnFollowTheDeclaredColumns(scenario name: String, datasource: String) throws {
        let scenario = try RealismTests.builtIn(name)
        let config = try #require(scenario.datasources.first { $0.name == datasource })
        let columns = try #require(DatasourceColumns.byDatasource[datasource])
        #expect(config.columns == columns)
        let timeColumn = DatasourceColumns.timeColumn[datasource]
        var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: scenario.start + 3 * 3600)
        var seen = 0
        while seen < 500, let (event, _) = stream.nextEvent() {
            seen += 1
            var encoder = NDJSONEncoder()
            event.encode(into: &encoder, timestamp: nil)
            let line = String(decoding: encoder.bytes, as: UTF8.self)
            #expect(Self.keys(line) == columns, "\(line)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(encoder.bytes)) as? [String: Any])
            for column in columns {
                let written = object[column] as? String
                if let value = event.value(ofColumn: column) {
                    #expect(written == value, "\(column): value(ofColumn:) \(value), written \(written ?? "not text")")
                } else if let written, column != timeColumn, column != "metadata" {
                    Issue.record("\(datasource).\(column) is written as text (\(written)) but value(ofColumn:) does not answer it")
                }
            }
            #expect(event.value(ofColumn: "no_such_column") == nil)
        }
        #expect(seen == 500)
    }
}
