import Foundation
import StarlingMetrics
import StarlingNet
import StarlingSim

extension RunOutcome {
    /// Merges the workers' histograms (exactly, by adding counts), judges validity and builds the summary.
    static func assemble(
        plan: RunPlan, ingestLag: LocalRecorder, queryLag: LocalRecorder,
        collected: (ingest: [LocalRecorder], queries: [[String: LocalRecorder]], server: [String: ServerStatistics], requests: Int),
        shared: SharedRecorder, ledger: IngestLedger, deadLetter: DeadLetter, stop: StopFlag, startWall: Int64, elapsed: Double
    ) -> RunOutcome {
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
        absorb(ingestLag)
        if !plan.queries.isEmpty { absorb(queryLag) }
        histograms["ingest", default: HDRHistogram()].add(HDRHistogram())  // present even when nothing landed

        let timelines = shared.finishTimelines()
        var streams: [String: StreamSummary] = [:]
        var lags: [String: StreamSummary] = [:]
        for (name, histogram) in histograms {
            let summary = StreamSummary(histogram, errors: errors[name]?.values.reduce(0, +) ?? 0)
            if name.hasPrefix("schedule_lag.") { lags[String(name.dropFirst("schedule_lag.".count))] = summary } else { streams[name] = summary }
        }
        var invalid: [String] = []
        for (name, lag) in lags where UInt64(lag.p99 * 1000) > plan.maxScheduleLagMicros {
            invalid.append("the \(name) schedule fell behind: schedule lag p99 \(lag.p99) ms > \(Double(plan.maxScheduleLagMicros) / 1000) ms; the generator could not keep the offered rate, so latencies would blame the server for the client's delay")
        }
        let counts = ledger.counts
        if !counts.balanced {
            invalid.append("the ledger does not balance: \(counts.accounted) of \(counts.generated) events accounted for")
        }

        var queries: [String: QuerySummary] = [:]
        for query in plan.queries {
            let stream = "query.\(query.pipe)"
            let completed = Double(histograms[stream]?.totalCount ?? 0)
            let server = collected.server[query.pipe]
            let responses = Double(max(server?.responses ?? 0, 1))
            queries[query.pipe] = QuerySummary(
                offeredPerSecond: query.rate, achievedPerSecond: completed / max(elapsed, 0.001), errors: errors[stream] ?? [:],
                serverElapsedMs: server.map { $0.elapsedSecondsTotal * 1000 / responses },
                serverRowsRead: server.map { Double($0.rowsReadTotal) / responses },
                serverBytesRead: server.map { Double($0.bytesReadTotal) / responses })
        }

        let offered = Double(counts.generated) / max(plan.duration, 0.001)
        let summary = RunSummary(
            scenario: plan.scenario.name, seed: plan.seed, shard: plan.shard.description, target: plan.target.description,
            startedAt: isoTime(nanos: startWall), plannedSeconds: plan.duration, elapsedSeconds: elapsed,
            valid: invalid.isEmpty, invalidReasons: invalid, stoppedEarly: stop.reason,
            ingest: IngestSummary(
                ledger: counts, offeredEventsPerSecond: offered,
                achievedEventsPerSecond: Double(counts.acknowledged + counts.quarantined) / max(elapsed, 0.001),
                requests: collected.requests, gzip: plan.ingest.gzip, wait: plan.ingest.wait, maxInFlight: plan.ingest.maxInFlight,
                batchMaxEvents: plan.ingest.batchMaxEvents, errors: failedAttempts,
                deadLetterFile: deadLetter.lines > 0 ? "deadletter.ndjson" : nil, deadLetterLines: deadLetter.lines),
            streams: streams, scheduleLag: lags, queries: queries)
        return RunOutcome(summary: summary, histograms: histograms, timelines: timelines, landed: ledger.landedByDatasource)
    }

    static func isoTime(nanos: Int64) -> String {
        formatTimestamp(nanos / 1_000_000_000).replacingOccurrences(of: " ", with: "T") + "Z"
    }
}
