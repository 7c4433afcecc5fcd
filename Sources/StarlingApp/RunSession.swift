import Foundation
import StarlingChecks
import StarlingNet
import StarlingRun
import StarlingSim

/// A whole `starling run` after its start: load (freshness probes watched while it runs), drain,
/// settle, verify, thresholds. The checks stay off the send path: after the load, the events sent
/// are produced again from the seed, the check plan is drawn from them and the oracles are fed
/// them. The verdict is in the outcome's summary, with the seconds each phase took.
public enum RunSession {
    /// Whether the target's datasources hold only this run's events, so exact checks make sense.
    public enum Isolation: Sendable, Equatable {
        /// Only this run's events: settle, freshness and exact checks.
        case isolated
        /// Other data may be there: freshness probes, but checks are skipped with this reason.
        case shared(reason: String)
        /// Nothing is stored (the fake target): no settle, probes or checks.
        case synthetic
    }

    public static func execute(_ plan: RunPlan, isolation: Isolation, environment: RunEnvironment) -> RunOutcome {
        var plan = plan
        let config = plan.scenario.run.checks
        let clock = environment.clock
        var queries = TargetQueries(transport: environment.transport, token: plan.token, clock: clock, cancellation: environment.cancellation)
        queries.maxAnswerBytes = plan.scenario.run.pipeAnswerMaxBytes

        // Freshness probes, polled on their own thread from the start of the load to the end of settle.
        let probing = config.probesPerSecond > 0 && isolation != .synthetic
        let tracker = probing && plan.freshness == nil ? FreshnessTracker(timeout: config.probeTimeout, datasources: plan.scenario.datasources) : plan.freshness
        plan.freshness = tracker
        plan.probesPerSecond = config.probesPerSecond
        let proberDone = RunCancellation()
        let prober = ThreadGroup(clock: clock)
        if let tracker {
            let probes = FreshnessProber(tracker: tracker, queries: queries, warnings: environment.warnings)
            prober.spawn { probes.run(until: proberDone) }
        }

        if let project = plan.referenceProject, plan.pipes.isEmpty {
            environment.warnings.add("the project \(project) has no endpoint (no pipe with TYPE endpoint, nor an untyped one outside materializations/, copies/, sinks/): the run only ingests, nothing is queried or checked")
        }
        var outcome = RunEngine.run(plan, environment: environment)
        let ledger = outcome.summary.ingest.ledger
        let aborted = environment.cancellation.isCancelled

        // Settle: the target must come to hold every acknowledged row (time to 100 % completeness);
        // only meaningful when nothing else writes there. Probes still invisible then never will be.
        let settleStart = clock.now()
        // A shard's target also holds the other shards' rows: settle and checks wait for the merge.
        let sharded = plan.shard.count > 1
        let settled = isolation == .isolated && !aborted && !sharded
            ? CheckPhase(queries: queries).settle(landed: outcome.landed, timeout: config.settleTimeout, possiblyDuplicated: ledger.possiblyDuplicated ?? 0,
                                                  collapsing: plan.scenario.collapsingDatasources)
            : (seconds: nil, failure: nil)
        if let tracker, isolation != .isolated || sharded, !aborted {
            let deadline = clock.now() + UInt64(config.probeTimeout * 1e9)
            while tracker.hasWaiting(now: clock.now()) && clock.now() < deadline && !environment.cancellation.isCancelled {
                clock.sleep(until: clock.now() + 50_000_000, unless: environment.cancellation)
            }
        }
        // Copy pipes run once the events have landed, so their targets hold data before the checks.
        if isolation != .synthetic && !aborted && !plan.copyPipes.isEmpty {
            for failure in queries.runCopies(plan.copyPipes) { environment.warnings.add("copy pipe \(failure)") }
        }
        proberDone.cancel(.plannedEnd)
        prober.wait()
        outcome.summary.freshness = tracker?.summary(completenessSeconds: settled.seconds)
        outcome.freshness = tracker?.histograms() ?? [:]
        let verifyStart = clock.now()

        var checks: [CheckResult] = settled.failure.map { [$0] } ?? []
        var expectations: Expectations?
        if !config.correctness || isolation == .synthetic {
            checks = []
        } else if sharded {
            checks.append(CheckedSummary.skipped("shard \(plan.shard) of a distributed run: the target also holds the other shards' events, so the checks run once on the merged results (starling merge <every shard's folder> --out DIR --target URL)"))
        } else if case .shared(let reason) = isolation {
            checks.append(CheckedSummary.skipped(reason))
        } else if environment.cancellation.isCancelled {
            checks.append(CheckedSummary.skipped("the run stopped early (\(environment.cancellation.reason?.code.rawValue ?? "stopped"))"))
        } else if let unknown = CheckedSummary.unknownAnswers(ledger) {
            checks.append(unknown)
        } else if let sent = outcome.sent {
            let planned = expect(plan, sent: sent)
            expectations = planned
            checks += CheckPhase(queries: queries).verify(planned, costQueries: config.costQueries)
            if let project = plan.referenceProject {
                // Beside the oracles, the same combinations; alone, every pipe no oracle knows.
                let names = plan.scenario.datasources.map(\.name)
                let others = ReferenceReplay.unoraclePipes(plan.pipes, sent: names)
                let asked = planned.oracles.map(\.check)
                    + ReferenceReplay.plan(pipes: others, specs: plan.pipes, scenario: plan.scenario, sent: sent, seed: plan.seed, budget: config.maxCombinations)
                checks += ReferenceReplay(target: queries, project: project, copyPipes: plan.copyPipes, undetermined: plan.undetermined)
                    .run(asked, specs: plan.pipes, sent: sent, landed: outcome.landed, collapsing: plan.scenario.collapsingDatasources,
                         settleTimeout: config.settleTimeout, warnings: environment.warnings)
            }
        }
        let end = clock.now()
        // Warnings of the settle, the probes and the checks (the load's were taken when it ended).
        let warnings = environment.warnings.all
        outcome.summary.warnings = warnings.isEmpty ? nil : warnings
        outcome.summary.elapsedSeconds += Double(end - settleStart) / 1e9
        // An interruption during settle or verify still makes the run interrupted.
        if let reason = environment.cancellation.reason, outcome.summary.stop?.reason != reason.code, !reason.drainsQueue {
            outcome.summary.stop = StopSummary(reason: reason.code, message: "\(reason.code.rawValue.replacingOccurrences(of: "_", with: " ")) after the load, during settle or verify")
        }
        // Thresholds judge a finished run; a stopped one is judged by its stop alone, and a shard's
        // by the merge (they are about the whole run: one shard's exit 2 would fail a Kubernetes Job).
        CheckedSummary.finish(&outcome.summary, checks: checks, expectations: expectations, landed: outcome.landed,
                              settleSeconds: Double(verifyStart - settleStart) / 1e9, verifySeconds: Double(end - verifyStart) / 1e9,
                              thresholds: plan.scenario.run.thresholds, judgeThresholds: !environment.cancellation.isCancelled && !sharded)
        return outcome
    }

    /// The pipes a run checks: `checks.pipes`, or every pipe with an oracle whose datasource the
    /// scenario sends and whose spec the project has.
    static func checkedPipes(_ plan: RunPlan) -> [String] {
        let datasources = Set(plan.scenario.datasources.map(\.name))
        let candidates = plan.scenario.run.checks.pipes ?? PipeOracles.pipes
        return candidates.filter { pipe in PipeOracles.datasource(of: pipe).map(datasources.contains) ?? false }
    }

    static func expect(_ plan: RunPlan, sent: SentEvents) -> Expectations {
        Expectations.compute(pipes: checkedPipes(plan), specs: plan.pipes, seed: plan.seed, budget: plan.scenario.run.checks.maxCombinations,
                             scheduled: { sent.forEachScheduled($0) }, sent: { sent.forEachSent($0) })
    }
}
