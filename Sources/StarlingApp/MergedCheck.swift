import StarlingChecks
import StarlingNet
import StarlingProject
import StarlingRun
import StarlingSim

/// `starling verify`: the settle and verify phases of a run, for the merged results of a
/// distributed one. The events every shard sent are produced again from `oracle-state.json` (after
/// checking they are the ones sent), the target must come to hold exactly the acknowledged rows,
/// and every checked combination is compared with the oracles fed the union of all shards' events —
/// what one machine that sent everything would have checked.
public enum MergedCheck {
    /// The summary with its checks, coverage, cost, thresholds and settle/verify phases filled in.
    public static func run(_ state: ShardState, summary: RunSummary, transport: any TargetTransport, token: String,
                           pipes specs: [String: PipeSpec], clock: any RunClock = SystemClock(),
                           cancellation: RunCancellation = RunCancellation()) throws(ShardStateError) -> RunSummary {
        try state.requireComplete()
        var plan = try state.plan(shard: 0)
        plan.pipes = specs
        let sent = try state.sentEvents()
        try state.verifyDigests(sent)
        let config = plan.scenario.run.checks
        var queries = TargetQueries(transport: transport, token: token, clock: clock, cancellation: cancellation)
        queries.maxAnswerBytes = plan.scenario.run.pipeAnswerMaxBytes
        let ledger = state.ledger
        var summary = summary
        var checks: [CheckResult] = []
        var expectations: Expectations?
        var settleSeconds: Double?
        let settleStart = clock.now()
        if !config.correctness {
            checks = []
        } else if let unknown = CheckedSummary.unknownAnswers(ledger) {
            checks.append(unknown)
        } else {
            let settled = CheckPhase(queries: queries).settle(landed: state.landed, timeout: config.settleTimeout,
                                                            possiblyDuplicated: ledger.possiblyDuplicated ?? 0,
                                                            collapsing: plan.scenario.collapsingDatasources)
            settleSeconds = Double(clock.now() - settleStart) / 1e9
            if let failure = settled.failure {
                checks.append(failure)
            } else if cancellation.isCancelled {
                checks.append(CheckedSummary.skipped("interrupted before the checks"))
            } else {
                let planned = Self.expectations(plan: plan, sent: sent)
                expectations = planned
                checks += CheckPhase(queries: queries).verify(planned, costQueries: config.costQueries)
            }
        }
        CheckedSummary.finish(&summary, checks: checks, expectations: expectations, landed: state.landed, settleSeconds: settleSeconds,
                              verifySeconds: Double(clock.now() - settleStart) / 1e9 - (settleSeconds ?? 0),
                              thresholds: plan.scenario.run.thresholds, judgeThresholds: !cancellation.isCancelled)
        return summary
    }

    /// What every checked combination must answer for the union of the shards' events (the plan is
    /// shard 0's with the project's pipes): what an unsharded run that sent them all expects.
    public static func expectations(plan: RunPlan, sent: SentUnion) -> Expectations {
        let union: @Sendable ((String, GeneratedEvent) -> Void) -> Void = { body in sent.forEachSent(body) }
        return Expectations.compute(pipes: RunSession.checkedPipes(plan), specs: plan.pipes, seed: plan.seed,
                                    budget: plan.scenario.run.checks.maxCombinations, scheduled: union, sent: union)
    }
}
