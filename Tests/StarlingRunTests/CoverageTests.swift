import Foundation
import StarlingChecks
import StarlingProject
import StarlingSim
import Testing
@testable import StarlingApp
@testable import StarlingRun

/// The semantic coverage a scenario's data gives the checks, computed without a target: the events
/// a run of the scenario sends (regenerated, as after a real run) go through the same plan and
/// oracles as `starling run`.
@Suite struct CoverageTests {
    static func coverage(of scenario: String) throws -> [String: [String: Int]] {
        let catalog = ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path])
        var plan = RunPlan(scenario: try catalog.load(scenario), token: "t")
        plan.pipes = try seedPipes()
        // A fixed start second: with live event times the data (and so its coverage) would move with
        // the wall clock; the smoke scenario uses simulated time, where the start does not matter.
        let sent = SentEvents(plan: plan, startWallSeconds: 1_764_460_800, generated: .max, lastOffset: plan.duration)
        return RunSession.expect(plan, sent: sent).coverage
    }

    /// Every rare case an oracle declares (and the generic ones: an empty answer, a limit cutting
    /// inside a tie) occurs at least once in ci-smoke's data, so its checks exercise them all.
    @Test func ciSmokeExercisesEveryDeclaredCase() throws {
        let coverage = try Self.coverage(of: "ci-smoke")
        #expect(coverage.count == PipeOracles.pipes.count, "every pipe is checked")
        let missing = coverage.flatMap { pipe, cases in cases.filter { $0.value == 0 }.map { "\(pipe): \($0.key)" } }.sorted()
        #expect(missing.isEmpty, "never exercised: \(missing.joined(separator: "; "))")
    }

    /// For every id a pipe's plan filters on with date bounds, some combination puts the lower bound
    /// and some the upper bound on a second holding that id's own events: a bound on a second where
    /// only other ids have events cannot tell `>=` from `>` (or `<=` from `<`) in the id's answer.
    @Test func idBoundsLandOnTheIdsOwnSeconds() throws {
        let catalog = ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path])
        var plan = RunPlan(scenario: try catalog.load("ci-smoke"), token: "t")
        plan.pipes = try seedPipes()
        let sent = SentEvents(plan: plan, startWallSeconds: 1_764_460_800, generated: .max, lastOffset: plan.duration)
        var seconds: [String: [String: Set<String>]] = [:]  // datasource → "column=value" → timestamps
        sent.forEachScheduled { datasource, event in
            for column in ["store_id", "customer_id", "product_id", "visitor_id", "session_id", "country", "channel"] {
                if let value = event.value(ofColumn: column) {
                    seconds[datasource, default: [:]]["\(column)=\(value)", default: []].insert(formatTimestamp(event.time))
                }
            }
        }
        var bounded: [String: (lower: Bool, upper: Bool)] = [:]  // "pipe id=value" → a bound on its seconds
        var idPipes = 0
        for (check, _) in RunSession.expect(plan, sent: sent).oracles {
            guard let spec = plan.pipes[check.pipe], let datasource = PipeOracles.datasource(of: check.pipe) else { continue }
            let lower = spec.parameters.first { $0.kind == .dateTime && $0.lowerBoundOf != nil }?.name
            let upper = spec.parameters.first { $0.kind == .dateTime && $0.upperBoundOf != nil }?.name
            guard lower != nil || upper != nil else { continue }
            for parameter in spec.parameters where parameter.kind == .string {
                guard let column = parameter.equalsColumn, let value = check.parameters[parameter.name],
                      let own = seconds[datasource]?["\(column)=\(value)"] else { continue }
                let key = "\(check.pipe) \(column)=\(value)"
                var seen = bounded[key] ?? (false, false)
                if let lower, let bound = check.parameters[lower], own.contains(bound) { seen.lower = true }
                if let upper, let bound = check.parameters[upper], own.contains(bound) { seen.upper = true }
                bounded[key] = seen
            }
        }
        idPipes = Set(bounded.keys.map { $0.prefix { $0 != " " } }).count
        #expect(idPipes >= 3, "ci-smoke has pipes filtering on an id and a date range")
        let missed = bounded.filter { !$0.value.lower || !$0.value.upper }.keys.sorted()
        #expect(missed.isEmpty, "no bound on the id's own seconds: \(missed.joined(separator: "; "))")
    }
}
