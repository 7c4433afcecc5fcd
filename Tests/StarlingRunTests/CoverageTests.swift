import Foundation
import StarlingChecks
@testable import StarlingRun
import StarlingSim
import Testing

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
}

