import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// The built-in scenarios' data passes an analyst's first look: `starling profile` measures every
/// declared target within its tolerance and no person doing the impossible.
@Suite struct RealismTests {
    static func builtIn(_ name: String) throws -> Scenario {
        let url = root.appendingPathComponent("scenarios/\(name).json")
        return try Scenario(json: Data(contentsOf: url), source: url.path)
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [("foot-traffic", 7), ("ecommerce", 7), ("customer-journey", 3), ("omnichannel", 7)])
    func everyDeclaredTargetHoldsAndNobodyDoesTheImpossible(scenario name: String, days: Int) throws {
        let scenario = try Self.builtIn(name)
        let report = try ScenarioProfiler.profile(scenario, seconds: Double(days) * 86_400)
        #expect(report.datasources.count == scenario.datasources.count)
        for profile in report.datasources {
            #expect(!profile.targets.isEmpty, "\(name) \(profile.datasource) declares targets")
            for target in profile.targets {
                #expect(target.verdict == .ok, "\(name) \(profile.datasource) \(target.name): declared \(target.declared), measured \(target.measured.map { "\($0)" } ?? "nothing") \(target.note ?? "")")
            }
            for impossibility in profile.impossibilities {
                #expect(impossibility.count == 0, "\(name) \(profile.datasource) \(impossibility.name): \(impossibility.examples.joined(separator: "; "))")
            }
        }
    }

    /// A target is what the generator aims at: a scenario that declares other values gets them.
    @Test func declaredValuesAreWhatComesOut() throws {
        let json = """
        {"format": 1, "seed": 4, "start": "2025-05-12 00:00:00",
         "datasources": {
           "ecommerce_events": {"sessions_per_hour": 3000, "conversion_rate": 0.04, "cart_abandonment": 0.5, "bounce_rate": 0.3},
           "customer_touchpoints": {"journeys_per_hour": 3000, "click_through_rates": {"display": 0.01}, "email_click_to_open": 0.2,
                                    "devices": {"desktop": 0.5, "mobile": 0.5}, "desktop_mobile_conversion_ratio": 3}
         }}
        """
        let scenario = try Scenario(json: Data(json.utf8), source: "declared.json")
        let report = try ScenarioProfiler.profile(scenario, seconds: 7 * 86_400)
        var measured: [String: Double] = [:]
        for profile in report.datasources {
            for target in profile.targets {
                #expect(target.verdict == .ok, "\(target.name): declared \(target.declared), measured \(target.measured ?? -1)")
                measured[target.name] = target.measured
            }
        }
        // The values the scenario wrote, not the defaults.
        #expect(abs((measured["conversion_rate"] ?? 0) - 0.04) < 0.004)
        #expect(abs((measured["add_to_cart_rate"] ?? 0) - 0.08) < 0.008, "from conversion and abandonment")
        #expect(abs((measured["ctr_display"] ?? 0) - 0.01) < 0.002)
        #expect(abs((measured["device_share_desktop"] ?? 0) - 0.5) < 0.03)
        #expect(abs((measured["desktop_mobile_conversion_ratio"] ?? 0) - 3) < 0.75)
    }
}
