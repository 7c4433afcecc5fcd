import Foundation
import StarlingMetrics
import StarlingNet
import StarlingSim

extension RunOutcome {
    /// Merges the workers' histograms (exactly, by adding counts), judges validity and builds the summary.
    static func assemble(context: RunContext, collected: RunEngine.Collected, generator: IngestGenerator.Report,
                         loadSeconds: Double, drainSeconds: Double) -> RunOutcome {
        let plan = context.plan
        var histograms: [StreamName: HDRHistogram] = [:]
        var errors: [StreamName: [String: Int]] = [:]
        var failedAttempts: [String: Int] = [:]
        func absorb(_ recorder: LocalRecorder) {
            histograms[recorder.stream, default: HDRHistogram()].add(recorder.total)
            for (reason, n) in recorder.errorsByStatus { errors[recorder.stream, default: [:]][reason, default: 0] += n }
            for (reason, n) in recorder.failedAttempts { failedAttempts[reason, default: 0] += n }
        }
        collected.ingest.forEach(absorb)
        collected.queries.forEach { $0.values.forEach(absorb) }
        absorb(collected.ingestLag)
        if !plan.queries.isEmpty { absorb(collected.queryLag) }
        histograms["ingest", default: HDRHistogram()].add(HDRHistogram())  // present even when nothing landed

        let timelines = context.shared.finishTimelines()
        var streams: [String: StreamSummary] = [:]
        var lags: [String: StreamSummary] = [:]
        for (name, histogram) in histograms {
            let summary = StreamSummary(histogram, errors: errors[name]?.values.reduce(0, +) ?? 0)
            if name.hasPrefix("schedule_lag.") { lags[String(name.dropFirst("schedule_lag.".count))] = summary } else { streams[name] = summary }
        }
        let counts = context.ledger.counts
        let stop = context.cancellation.reason ?? .plannedEnd
        let elapsed = loadSeconds + drainSeconds
        let loadLength = max(min(loadSeconds, plan.duration), 0.001)
        let stoppedAt = stopOffset(stop, loadSeconds: loadSeconds, plan: plan)
        // The schedule past the generator's last event was never drawn: estimated from the profile.
        let notGenerated = generator.scheduleEnded ? nil
            : Int(plan.ingest.rate.expectedEvents(from: generator.lastOffset, to: plan.duration, duration: plan.duration).rounded())
        // Offered: what the schedule asked for over the time the load lasted (the whole planned
        // schedule when it was abandoned; up to the stop when it was stopped).
        let offered: Double
        switch stop {
        case .plannedEnd: offered = Double(counts.generated) / plan.duration
        case .overCapacity: offered = Double(counts.generated + (notGenerated ?? 0)) / plan.duration
        default:
            // Generated before the stop, plus what the schedule asked for that the generator (behind
            // it) had not drawn yet.
            let stop = stoppedAt ?? plan.duration
            let drawn = min(generator.lastOffset, stop)
            let undrawn = plan.ingest.rate.expectedEvents(from: drawn, to: stop, duration: plan.duration)
            offered = (Double(generator.generated(before: drawn)) + undrawn) / max(stop, 0.001)
        }
        var invalid = validityProblems(plan: plan, histograms: histograms, counts: counts, stop: stop, lateStartSeconds: context.lateStartSeconds)

        var queries: [String: QuerySummary] = [:]
        for query in plan.queries {
            let stream = "query.\(query.pipe)"
            let completed = Double(histograms[stream]?.totalCount ?? 0)
            let answers = collected.server[query.pipe]
            let server = answers.flatMap { $0.responses > 0 ? $0 : nil }
            let responses = Double(max(server?.responses ?? 0, 1))
            var summary = QuerySummary(
                offeredPerSecond: query.rate / Double(plan.shard.count), achievedPerSecond: completed / loadLength, errors: errors[stream] ?? [:],
                serverElapsedMs: server.map { $0.elapsedSecondsTotal * 1000 / responses },
                serverRowsRead: server.map { Double($0.rowsReadTotal) / responses },
                serverBytesRead: server.map { Double($0.bytesReadTotal) / responses })
            if let answers {
                summary.errorMessages = answers.errorMessages.isEmpty ? nil : answers.errorMessages
                summary.answers = answers.answers
                summary.emptyAnswers = answers.emptyAnswers
                summary.emptyParameters = answers.emptyParameters
            }
            queries[query.pipe] = summary
        }
        for (pipe, q) in queries.sorted(by: { $0.key < $1.key }) where q.neverReturnedRows {
            let shown = q.emptyParameters.flatMap { $0.isEmpty ? nil : "parameters such as \($0)" } ?? "its default parameters"
            context.warnings.add("endpoint \(pipe) returned no row in any of its \(q.answers ?? 0) answers (asked with \(shown)): check that the data reaches the rows it filters on (times, ids, literals)")
        }
        if stop.drainsQueue && counts.notSent > 0 {
            invalid.append("\(counts.notSent) events were still queued when the drain ended (\(Int(plan.drainTimeout)) s after the planned end): the target could not take the offered rate in time")
        }

        let warnings = context.warnings.all
        var summary = RunSummary(
            scenario: plan.scenario.name, seed: plan.seed, shard: plan.shard.description, target: context.transport.target.description,
            startedAt: isoTime(nanos: context.startWall), plannedSeconds: plan.duration, elapsedSeconds: elapsed,
            valid: invalid.isEmpty, invalidReasons: invalid, stoppedEarly: nil,
            ingest: IngestSummary(
                ledger: counts, offeredEventsPerSecond: offered,
                achievedEventsPerSecond: Double(counts.acknowledged + counts.quarantined) / loadLength,
                requests: collected.requests, gzip: plan.ingest.gzip, wait: plan.ingest.wait, maxInFlight: plan.ingest.maxInFlight,
                batchMaxEvents: plan.ingest.batchMaxEvents, errors: failedAttempts,
                deadLetterFile: context.deadLetter.lines > 0 ? DeadLetter.folderName + "/" : nil, deadLetterLines: context.deadLetter.lines,
                resends: collected.resends, inFlightWaitSeconds: Double(collected.ingestInFlightWait) / 1e9,
                notGeneratedEstimate: notGenerated),
            streams: streams, scheduleLag: lags, queries: queries)
        summary.stop = stopSummary(stop, plan: plan, target: context.transport.target, counts: counts, notGenerated: notGenerated,
                                   inFlightWait: Double(collected.ingestInFlightWait) / 1e9, stoppedAt: stoppedAt)
        summary.phases = ["load": loadSeconds, "drain": drainSeconds]
        summary.queryInFlightWaitSeconds = plan.queries.isEmpty ? nil : Double(collected.queryInFlightWait) / 1e9
        summary.warnings = warnings.isEmpty ? nil : warnings
        let sent = SentEvents(plan: plan, startWallSeconds: context.startWall / 1_000_000_000, generated: counts.generated, lastOffset: generator.lastOffset)
        return RunOutcome(summary: summary, histograms: histograms, timelines: timelines, landed: context.ledger.landedByDatasource, sent: sent)
    }

    /// Seconds a shard may start after `--start-at` (process start-up jitter) before it is invalid.
    static let startAtTolerance = 1.0

    /// Why the run cannot be trusted: a schedule that fell behind (by the plan's rule), an abandoned
    /// schedule, or a ledger that does not balance.
    /// A shard that started late (after `--start-at`, beyond the tolerance) is invalid for that
    /// reason alone: the schedule lag that follows is the late start's, not Starling's CPU.
    static func validityProblems(plan: RunPlan, histograms: [StreamName: HDRHistogram], counts: LedgerCounts, stop: StopReason,
                                 lateStartSeconds: Double = 0) -> [String] {
        var problems: [String] = []
        let judge = ScheduleLagJudge(rule: plan.scheduleLagRule, limitMicros: plan.maxScheduleLagMicros)
        var queryLatency = HDRHistogram()
        for (name, histogram) in histograms where name.hasPrefix("query.") { queryLatency.add(histogram) }
        if lateStartSeconds > startAtTolerance {
            problems.append(String(format: "shard %@ started %.1f s after --start-at: the other shards' schedule was already running, so its events went out late; give a later --start-at", plan.shard.description, lateStartSeconds))
        } else {
            if let lag = histograms["schedule_lag.ingest"], let problem = judge.verdict(stream: "ingest", lag: lag, latency: histograms["ingest"]) {
                problems.append(problem)
            }
            if let lag = histograms["schedule_lag.query"], let problem = judge.verdict(stream: "query", lag: lag, latency: queryLatency) {
                problems.append(problem)
            }
        }
        if case let .overCapacity(side, unscheduled) = stop {
            let seconds = String(format: "%.1f", unscheduled)
            problems.append(side == .generator
                ? "over capacity: Starling could not generate the offered rate on this machine; the schedule was abandoned at its planned end with \(seconds) s of it never generated"
                : "over capacity: the target could not take the offered rate with max_in_flight \(plan.ingest.maxInFlight) (every request slot was busy); the schedule was abandoned at its planned end with \(seconds) s of it never generated")
        }
        if !counts.balanced {
            problems.append("the ledger does not balance: \(counts.accounted) of \(counts.generated) events accounted for")
        }
        return problems
    }

    /// Seconds into the schedule at which it stopped early, or nil when it ran to its end.
    static func stopOffset(_ stop: StopReason, loadSeconds: Double, plan: RunPlan) -> Double? {
        switch stop {
        case .plannedEnd: return nil
        case let .overCapacity(_, unscheduled): return plan.duration - unscheduled
        case .interrupted, .tokenRefused, .notFound, .targetLost: return min(loadSeconds, plan.duration)
        }
    }

    static func stopSummary(_ stop: StopReason, plan: RunPlan, target: TargetURL, counts: LedgerCounts, notGenerated: Int?,
                            inFlightWait: Double, stoppedAt: Double?) -> StopSummary {
        let unsent = "\(counts.notSent) generated events were not sent" + (notGenerated.map { " and about \($0) events of the schedule were never generated" } ?? "")
        let at = stoppedAt.map { String(format: "%.1f s", $0) } ?? ""
        switch stop {
        case .plannedEnd:
            return StopSummary(reason: stop.code, message: "the schedule ran to its planned end")
        case let .overCapacity(side, _):
            let who = side == .generator ? "Starling could not generate the offered rate" : String(format: "the target could not take the offered rate (batches waited %.1f s for a free request slot)", inFlightWait)
            return StopSummary(reason: stop.code, message: "over capacity: \(who); the schedule was abandoned at its planned end: \(unsent)", atSeconds: stoppedAt, side: side.rawValue)
        case let .interrupted(signal):
            return StopSummary(reason: stop.code, message: "interrupted by \(signal) after \(at): \(unsent)", atSeconds: stoppedAt)
        case let .targetLost(since, reason):
            return StopSummary(reason: stop.code, message: "the target \(target) became unreachable \(String(format: "%.1f", since)) s into the run (\(reason)): \(unsent)", atSeconds: since)
        case let .tokenRefused(status, request):
            return StopSummary(reason: stop.code, message: "the token was refused by \(target) (\(status) on \(request)): check --token / TB_TOKEN and its scopes; \(unsent)", atSeconds: stoppedAt)
        case let .notFound(what):
            return StopSummary(reason: stop.code, message: "the target \(target) has no \(what) (404): \(unsent)", atSeconds: stoppedAt)
        }
    }

    public static func isoTime(nanos: Int64) -> String { UTCTime.iso(nanos: nanos) }
}
