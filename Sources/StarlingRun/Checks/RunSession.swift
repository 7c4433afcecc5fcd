import Foundation
import StarlingChecks
import StarlingNet
import StarlingSim

/// A whole `starling run`: load (with oracles fed by every event sent and freshness probes watched
/// while it runs), settle, verify, thresholds. The verdict is in the outcome's summary.
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

    public static func execute(_ plan: RunPlan, isolation: Isolation, stop: StopFlag = StopFlag()) -> RunOutcome {
        var plan = plan
        let config = plan.scenario.run.checks
        let queries = TargetQueries(pool: HTTPClientPool(options: HTTPClientOptions(readTimeout: .seconds(60))), target: plan.target, token: plan.token)
        defer { queries.pool.closeIdle() }

        // Oracles for the planned combinations, fed as events are sent.
        let datasources = plan.scenario.datasources.map(\.name)
        let checking = config.correctness && isolation == .isolated
        var oracles = OracleSet([])
        if checking {
            let first = plan.eventTime == .live ? Int64(Date().timeIntervalSince1970) : plan.scenario.start
            let span = plan.eventTime == .live ? Int64(plan.duration.rounded(.up)) : 3600
            oracles = OracleSet(CheckPlan.combinations(pipes: config.pipes, datasources: datasources, range: first...(first + span)))
        }

        // Freshness probes, polled on their own thread from the start of the load to the end of settle.
        let probing = config.probesPerSecond > 0 && isolation != .synthetic
        let tracker = probing && plan.freshness == nil ? FreshnessTracker(timeout: config.probeTimeout) : plan.freshness
        plan.freshness = tracker
        plan.probesPerSecond = config.probesPerSecond
        let proberDone = StopFlag()
        let proberGroup = DispatchGroup()
        if let tracker {
            let prober = FreshnessProber(tracker: tracker, queries: queries)
            RunEngine.spawn(proberGroup) { prober.run(until: proberDone) }
        }

        var outcome = RunEngine.run(plan, stop: stop, onSent: checking ? { oracles.consume(datasource: $0, $1) } : nil)

        // Settle: the target must come to hold every acknowledged row (time to 100 % completeness);
        // only meaningful when nothing else writes there.
        let settled = isolation == .isolated
            ? CheckPhase(queries: queries).settle(landed: outcome.landed, timeout: config.settleTimeout) : (seconds: nil, failure: nil)
        if let tracker {
            let deadline = MonotonicClock.now() + UInt64(config.probeTimeout * 1e9)
            while tracker.hasWaiting(now: MonotonicClock.now()) && MonotonicClock.now() < deadline && !stop.isSet { usleep(50_000) }
        }
        proberDone.stop("settled")
        proberGroup.wait()
        outcome.summary.freshness = tracker?.summary(completenessSeconds: settled.seconds)

        var checks: [CheckResult] = settled.failure.map { [$0] } ?? []
        let ledger = outcome.summary.ingest.ledger
        if !config.correctness || isolation == .synthetic {
            checks = []
        } else if case .shared(let reason) = isolation {
            checks.append(CheckResult(pipe: "*", parameters: "", status: .skipped, reason: reason))
        } else if ledger.undelivered > 0 || ledger.quarantined > 0 {
            checks.append(CheckResult(pipe: "*", parameters: "", status: .skipped,
                                      reason: "\(ledger.undelivered) events did not land and \(ledger.quarantined) were quarantined, so the exact expected answers are unknown"))
        } else {
            checks += CheckPhase(queries: queries).verify(oracles)
        }
        outcome.summary.checks = checks
        outcome.summary.thresholds = ThresholdEvaluator.evaluate(plan.scenario.run.thresholds, summary: outcome.summary)
        return outcome
    }
}
