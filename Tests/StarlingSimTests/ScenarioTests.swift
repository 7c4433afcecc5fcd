import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

@Suite struct ScenarioTests {
    func parse(_ json: String) throws(ScenarioError) -> Scenario {
        try Scenario(json: Data(json.utf8), source: "test.json")
    }

    @Test func defaultsFillWhatIsNotGiven() throws {
        let scenario = try parse(#"{"format": 1, "datasources": {"ecommerce_events": {}}}"#)
        #expect(scenario.name == "test")
        #expect(scenario.seed == 1)
        #expect(scenario.start == CivilTime(year: 2025, month: 5, day: 12).epochSeconds)
        guard case .ecommerce(let config) = scenario.datasources[0].model else {
            Issue.record("expected the e-commerce model")
            return
        }
        #expect(config.products == EcommerceConfig().products)
    }

    @Test(arguments: [
        (#"{"datasources": {"ecommerce_events": {}}}"#, ScenarioError.missingKey(path: "$.format", expected: "\"format\": 1")),
        (#"{"format": 2, "datasources": {}}"#, ScenarioError.unsupportedFormat(found: "2")),
        (#"{"format": 1, "datasources": {"ecommerce_events": {"prodcts": 5}}}"#, nil),
        (#"{"format": 1, "datasources": {"ecommerce_events": {"products": "many"}}}"#, ScenarioError.invalidValue(path: "$.datasources.ecommerce_events.products", expected: "an integer in 1…10000000", found: "\"many\"")),
        (#"{"format": 1, "datasources": {"store_visits": {"daily_curve": [1, 2]}}}"#, nil),
        (#"{"format": 1, "start": "2025-02-30 00:00:00", "datasources": {"store_visits": {}}}"#, ScenarioError.invalidValue(path: "$.start", expected: "a UTC time \"YYYY-MM-DD HH:MM:SS\"", found: "\"2025-02-30 00:00:00\"")),
        (#"{"format": 1, "datasources": {"orders": {}}}"#, nil),
        (#"{"format": 1, "datasources": {"customer_touchpoints": {"transitions": {"search": {"teleport": 1}}}}}"#, nil),
    ] as [(String, ScenarioError?)])
    func badScenariosNameTheJSONPath(json: String, expected: ScenarioError?) {
        do {
            _ = try parse(json)
            Issue.record("accepted \(json)")
        } catch {
            if let expected { #expect(error == expected) }
            #expect(error.description.contains("$."), "\(error)")
        }
    }

    @Test func unknownKeysAreRejectedWithThePath() {
        #expect(throws: ScenarioError.self) { try parse(#"{"format": 1, "sed": 3, "datasources": {"store_visits": {}}}"#) }
        do {
            _ = try parse(#"{"format": 1, "datasources": {"ecommerce_events": {"prodcts": 5}}}"#)
        } catch {
            guard case .unknownKey(let path, let allowed) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(path == "$.datasources.ecommerce_events.prodcts")
            #expect(allowed.contains("products"))
        }
    }

    @Test func queryParametersMayBeListsOrSometimesLeftOut() throws {
        let scenario = try parse(#"{"format": 1, "datasources": {"store_visits": {}}, "run": {"queries": [{"pipe": "p", "parameters": {"ids": "$visitor_id[]", "store": {"value": "$store_id", "omit_rate": 0.25}, "n": {"value": [1, 2]}}}]}}"#)
        let drawn = Dictionary(uniqueKeysWithValues: scenario.run.queries[0].parameters.map { ($0.name, $0.sampler) })
        #expect(drawn == ["ids": .seenList(column: "visitor_id"), "store": .sometimes(.seen(column: "store_id"), omitRate: 0.25),
                          "n": .sometimes(.oneOf(["1", "2"]), omitRate: 0.5)])
        #expect(throws: ScenarioError.invalidValue(path: "$.run.queries[0].parameters.s.omit_rate", expected: "a number in 0.0…1.0", found: "2")) {
            try parse(#"{"format": 1, "datasources": {"store_visits": {}}, "run": {"queries": [{"pipe": "p", "parameters": {"s": {"value": "x", "omit_rate": 2}}}]}}"#)
        }
        #expect(throws: ScenarioError.self) {
            try parse(#"{"format": 1, "datasources": {"store_visits": {}}, "run": {"queries": [{"pipe": "p", "parameters": {"s": "$nothing_here[]"}}]}}"#)
        }
    }

    @Test func invalidJSONSaysSo() {
        do {
            _ = try parse(#"{"format": 1,"#)
            Issue.record("accepted broken JSON")
        } catch {
            guard case .invalidJSON(let source, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(source == "test.json")
        }
    }

    /// A byte order mark some editors write is not an error; a key given twice is (which one was
    /// meant cannot be known), named with its line.
    @Test func byteOrderMarkIsSkippedAndDuplicateKeysAreRefused() throws {
        let withMark = Data([0xEF, 0xBB, 0xBF]) + Data(#"{"format": 1, "datasources": {"store_visits": {}}}"#.utf8)
        #expect(try Scenario(json: withMark, source: "bom.json").datasources.count == 1)
        do {
            _ = try parse("{\"format\": 1,\n \"seed\": 3,\n \"seed\": 4, \"datasources\": {\"store_visits\": {}}}")
            Issue.record("accepted a key given twice")
        } catch {
            #expect(error.description.contains("line 3") && error.description.contains("\"seed\" appears twice"), "\(error.description)")
        }
        #expect(Scenario.slug("my shop (v2)") == "my-shop--v2-" && Scenario.slug("../x") == "-x" && Scenario.slug("") == "scenario")
        #expect(Scenario.isValidName("ci-smoke") && Scenario.isValidName("tienda_españa.v2"))
        #expect(!Scenario.isValidName("../x") && !Scenario.isValidName(".x") && !Scenario.isValidName("a b") && !Scenario.isValidName("a\u{202E}b"))
    }

    /// The shipped scenarios parse (they are part of the product).
    @Test(arguments: ["foot-traffic", "ecommerce", "customer-journey", "ci-smoke"])
    func shippedScenariosParse(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("scenarios/\(name).json"))
        let scenario = try Scenario(json: data, source: name)
        #expect(scenario.name == name)
        #expect(!scenario.description.isEmpty)
    }
}
