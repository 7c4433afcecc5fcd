import Foundation
import StarlingChecks
import StarlingProject
import StarlingSim
import Testing
@testable import StarlingApp
@testable import StarlingRun

/// Stage 2's limits answered from stage 1's fed oracles (a copy given the new limit) are exactly
/// what feeding them every event again gives: the same combinations in the same order, the same
/// refusals, the same expected answers and the same coverage, on the smoke scenario and on each
/// domain's own scenario.
@Suite struct RelimitTests {
    @Test(arguments: ["ci-smoke", "foot-traffic", "ecommerce", "customer-journey", "omnichannel"])
    func derivedLimitsAnswerAsFedOnes(scenario: String) throws {
        let catalog = ScenarioCatalog(folders: [repositoryRoot.appendingPathComponent("scenarios").path])
        guard let loaded = try? catalog.load(scenario) else {
            Issue.record("no built-in scenario \(scenario)")
            return
        }
        var plan = RunPlan(scenario: loaded, token: "t")
        plan.pipes = try seedPipes()
        plan.duration = min(plan.duration, 20)
        let sent = SentEvents(plan: plan, startWallSeconds: 1_764_460_800, generated: 20_000, lastOffset: plan.duration)
        func expectations(relimit: Bool) -> Expectations {
            Expectations.compute(pipes: RunSession.checkedPipes(plan), specs: plan.pipes, seed: plan.seed,
                                 budget: plan.scenario.run.checks.maxCombinations,
                                 scheduled: { sent.forEachScheduled($0) }, sent: { sent.forEachSent($0) }, relimit: relimit)
        }
        let derived = expectations(relimit: true)
        let fed = expectations(relimit: false)
        #expect(derived.oracles.map(\.check) == fed.oracles.map(\.check), "\(scenario): the same combinations, in order")
        #expect(derived.refused.map(\.check) == fed.refused.map(\.check))
        #expect(derived.coverage == fed.coverage)
        var differing: [String] = []
        for (a, b) in zip(derived.oracles, fed.oracles) where Self.canonical(a.oracle.result()) != Self.canonical(b.oracle.result()) {
            differing.append("\(a.check.pipe)?\(a.check.parameters)")
        }
        #expect(differing.isEmpty, "\(scenario): answers differ for \(differing.prefix(5))")
        // (The e-commerce pipes have no LIMIT parameter: nothing to derive there.)
        let limited = RunSession.checkedPipes(plan).contains { plan.pipes[$0]?.parameters.contains(where: \.isLimit) == true }
        #expect(!limited || fed.oracles.contains { $0.check.purpose.contains("limit") }, "\(scenario): the plan has derived limits")
    }

    /// The result as text, a multiset's items in sorted order (two oracles holding the same counts
    /// may list them in different dictionary orders; the comparison with a pipe's answer ignores it).
    static func canonical(_ result: ExpectedResult) -> String {
        func text(_ value: ExpectedValue) -> String {
            switch value {
            case .multiset(let items): return "multiset[" + items.map(text).sorted().joined(separator: ",") + "]"
            case .array(let items): return "[" + items.map(text).joined(separator: ",") + "]"
            default: return value.rendered
            }
        }
        func rows(_ rows: [ExpectedRow]) -> String {
            rows.map { $0.columns.map { "\($0.name)=\(text($0.value))" }.joined(separator: " ") }.joined(separator: "\n")
        }
        return rows(result.rows) + "\n~\(result.interchangeable)\n" + rows(result.alternates)
    }
}
