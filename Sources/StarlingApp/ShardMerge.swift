import Foundation
import StarlingMetrics
import StarlingReport
import StarlingRun
import StarlingSim

/// `starling merge`: the shard folders of one distributed run made into one results folder, as if
/// one machine had sent everything. Exact where it can be: histograms are added from each shard's
/// full-resolution `totals.hlog` (counts exact, percentiles of the whole), ledgers and counters are
/// summed, the shards' `oracle-state.json` become one (the checks of `starling verify` use it), the
/// dead letters are concatenated. The per-second timeline adds counts; its percentile columns are
/// the worst shard's (percentiles of seconds do not add — the exact ones are in the histograms).
public enum ShardMerge {
    /// Reads, checks and merges the shard folders; writes the merged folder and its reports.
    public static func execute(shards paths: [String], out: String, log: (String) -> Void) throws -> (summary: RunSummary, state: ShardState, folder: ResultsFolder) {
        let folders = try paths.map { path throws(ResultsError) in try ResultsFolder(existing: path) }
        let states = try folders.map { folder throws(ResultsError) in try folder.readShardState() }
        let merged = try ShardState.merge(states, sources: paths)
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
        if let clash = paths.first(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == outPath }) {
            throw ShardStateError.mismatch("--out \(out) is the shard folder \(clash): give the merged results a folder of their own")
        }
        let summaries = try folders.map { folder throws(ResultsError) in try folder.readSummary() }
        var totals: [StreamName: HDRHistogram] = [:]
        for folder in folders {
            for (stream, histogram) in try folder.readTotals() {
                totals[stream, default: HDRHistogram(layout: histogram.layout)].add(histogram)
            }
        }
        let scenario = try merged.plan(shard: 0).scenario
        var summary = mergeSummaries(summaries, totals: totals, state: merged)
        summary.thresholds = ThresholdEvaluator.evaluate(scenario.run.thresholds, summary: summary)

        if ResultsFolder.holdsResults(out) { log("replacing the earlier results in \(out)") }
        let folder = try ResultsFolder.prepare(out)
        let latencies = totals.filter { !$0.key.hasPrefix("freshness.") }
        try folder.writeLatencies(histograms: latencies, timelines: mergeTimelines(try folders.map { folder throws(ResultsError) in try folder.readTimelines() }))
        let start = summaries.compactMap { parseISOTime($0.startedAt) }.min() ?? 0
        try folder.writeTotals(totals, startWallNanos: start, seconds: summary.elapsedSeconds)
        try folder.write(try mergeIntervalLogs(folders, startWallNanos: start), to: .intervalLog)
        try mergeDeadLetters(folders, into: folder)
        try folder.writeShardState(merged)
        try folder.writeSummary(summary)
        try ReportWriter.writeAll(folder: folder)
        return (summary, merged, folder)
    }

    /// One summary from the shards': sums of counts and rates, histograms' summaries from the added
    /// histograms, every shard's invalid reasons, warnings and stop (prefixed with its shard).
    static func mergeSummaries(_ summaries: [RunSummary], totals: [StreamName: HDRHistogram], state: ShardState) -> RunSummary {
        let shards = zip(state.shards.map { "shard \($0.index)/\(state.shardCount)" }, summaries)
        var merged = summaries[0]
        merged.shard = "\(state.shardCount) shards merged"
        merged.target = Array(Set(summaries.map(\.target))).sorted().joined(separator: ", ")
        merged.startedAt = summaries.map(\.startedAt).min() ?? merged.startedAt
        merged.elapsedSeconds = summaries.map(\.elapsedSeconds).max() ?? 0
        merged.invalidReasons = shards.flatMap { shard, s in s.invalidReasons.map { "\(shard): \($0)" } }
        merged.valid = merged.invalidReasons.isEmpty
        if let (shard, early) = shards.first(where: { $0.1.stop?.reason != .plannedEnd && $0.1.stop != nil }), var stop = early.stop {
            stop.message = "\(shard): \(stop.message)"
            merged.stop = stop
        }
        merged.phases = summaries.reduce(into: [String: Double]()) { all, s in all.merge(s.phases ?? [:]) { max($0, $1) } }
        let warnings = shards.flatMap { shard, s in (s.warnings ?? []).map { "\(shard): \($0)" } }
        merged.warnings = warnings.isEmpty ? nil : warnings

        var ingest = merged.ingest
        ingest.ledger = state.ledger
        ingest.offeredEventsPerSecond = summaries.map(\.ingest.offeredEventsPerSecond).reduce(0, +)
        ingest.achievedEventsPerSecond = summaries.map(\.ingest.achievedEventsPerSecond).reduce(0, +)
        ingest.requests = summaries.map(\.ingest.requests).reduce(0, +)
        ingest.maxInFlight = summaries.map(\.ingest.maxInFlight).reduce(0, +)
        ingest.errors = summaries.reduce(into: [:]) { $0.merge($1.ingest.errors, uniquingKeysWith: +) }
        ingest.deadLetterLines = summaries.map(\.ingest.deadLetterLines).reduce(0, +)
        ingest.deadLetterFile = ingest.deadLetterLines > 0 ? DeadLetter.folderName + "/" : nil
        ingest.resends = summaries.reduce(into: [:]) { $0.merge($1.ingest.resends ?? [:], uniquingKeysWith: +) }
        ingest.inFlightWaitSeconds = summaries.compactMap(\.ingest.inFlightWaitSeconds).reduce(0, +)
        let notGenerated = summaries.compactMap(\.ingest.notGeneratedEstimate)
        ingest.notGeneratedEstimate = notGenerated.isEmpty ? nil : notGenerated.reduce(0, +)
        merged.ingest = ingest

        merged.streams = [:]
        merged.scheduleLag = [:]
        for (stream, histogram) in totals where !stream.hasPrefix("freshness.") {
            if stream.hasPrefix("schedule_lag.") {
                merged.scheduleLag[String(stream.dropFirst("schedule_lag.".count))] = StreamSummary(histogram)
            } else {
                let errors = summaries.compactMap { $0.streams[stream]?.errors }.reduce(0, +)
                merged.streams[stream] = StreamSummary(histogram, errors: errors)
            }
        }
        merged.queries = [:]
        for pipe in Set(summaries.flatMap(\.queries.keys)) {
            let parts = summaries.compactMap { s in s.queries[pipe].map { (query: $0, answers: Double(s.streams["query.\(pipe)"]?.count ?? 0)) } }
            let answers = parts.map(\.answers).reduce(0, +)
            func weighted(_ value: (QuerySummary) -> Double?) -> Double? {
                let known = parts.compactMap { part in value(part.query).map { ($0, part.answers) } }
                guard !known.isEmpty, answers > 0 else { return nil }
                return known.map { $0.0 * $0.1 }.reduce(0, +) / answers
            }
            merged.queries[pipe] = QuerySummary(
                offeredPerSecond: parts.map(\.query.offeredPerSecond).reduce(0, +),
                achievedPerSecond: parts.map(\.query.achievedPerSecond).reduce(0, +),
                errors: parts.reduce(into: [:]) { $0.merge($1.query.errors, uniquingKeysWith: +) },
                serverElapsedMs: weighted(\.serverElapsedMs), serverRowsRead: weighted(\.serverRowsRead),
                serverBytesRead: weighted(\.serverBytesRead))
        }
        let waits = summaries.compactMap(\.queryInFlightWaitSeconds)
        merged.queryInFlightWaitSeconds = waits.isEmpty ? nil : waits.reduce(0, +)
        let freshness = summaries.compactMap(\.freshness)
        merged.freshness = freshness.isEmpty ? nil : FreshnessSummary(
            probes: freshness.map(\.probes).reduce(0, +), visible: freshness.map(\.visible).reduce(0, +),
            histograms: totals, completenessSeconds: nil)
        merged.checks = [CheckResult(pipe: "*", parameters: "", status: .skipped,
                                     reason: "not checked yet: starling verify <this folder> --target URL settles and checks every pipe once")]
        merged.coverage = nil
        merged.cost = nil
        return merged
    }

    /// Per stream and second: counts added, latency columns the worst shard's.
    static func mergeTimelines(_ shards: [[StreamName: [TimelineRow]]]) -> [StreamName: [TimelineRow]] {
        var rows: [StreamName: [Int64: TimelineRow]] = [:]
        for shard in shards {
            for (stream, timeline) in shard {
                for row in timeline {
                    var merged = rows[stream]?[row.second] ?? TimelineRow(second: row.second)
                    merged.offered += row.offered
                    merged.achieved += row.achieved
                    merged.errors += row.errors
                    (merged.p50, merged.p90) = (max(merged.p50, row.p50), max(merged.p90, row.p90))
                    (merged.p99, merged.max) = (max(merged.p99, row.p99), max(merged.max, row.max))
                    rows[stream, default: [:]][row.second] = merged
                }
            }
        }
        return rows.mapValues { $0.values.sorted { $0.second < $1.second } }
    }

    /// The shards' interval logs as one: intervals of the same tag and start (shards that share a
    /// `--start-at` log on the same boundaries) added.
    static func mergeIntervalLogs(_ folders: [ResultsFolder], startWallNanos: Int64) throws -> String {
        var intervals: [String: (tag: String?, start: Double, length: Double, histogram: HDRHistogram)] = [:]
        for folder in folders where folder.exists(.intervalLog) {
            let log: IntervalLog
            do {
                log = try IntervalLog(parsing: try folder.read(.intervalLog))
            } catch let error as ResultsError {
                throw error
            } catch {
                throw ResultsError.unreadable(folder.url(.intervalLog), "\(error)")
            }
            for entry in log.entries {
                let key = "\(entry.tag ?? "")@\(Int64((entry.startSeconds * 1000).rounded()))"
                if var existing = intervals[key] {
                    existing.histogram.add(entry.histogram)
                    existing.length = max(existing.length, entry.lengthSeconds)
                    intervals[key] = existing
                } else {
                    intervals[key] = (entry.tag, entry.startSeconds, entry.lengthSeconds, entry.histogram)
                }
            }
        }
        var writer = IntervalLogWriter(startTimeMilliseconds: startWallNanos / 1_000_000, maxValueScale: 1000,
                                       comment: "starling merge of \(folders.count) shards")
        let origin = Double(startWallNanos) / 1e9
        for interval in intervals.values.sorted(by: { ($0.start, $0.tag ?? "") < ($1.start, $1.tag ?? "") }) {
            try writer.append(interval.histogram, tag: interval.tag, startSeconds: interval.start - origin, lengthSeconds: interval.length)
        }
        return writer.takeText()
    }

    /// Every shard's dead-letter files appended into the merged folder's `deadletter/`.
    static func mergeDeadLetters(_ folders: [ResultsFolder], into out: ResultsFolder) throws {
        let manager = FileManager.default
        for folder in folders {
            let source = folder.deadLetterPath
            guard manager.fileExists(atPath: source) else { continue }  // every event of that shard landed
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: source)
            } catch {
                throw ResultsError.unreadable(source, ResultsFolder.reason(of: error))
            }
            try manager.createDirectory(atPath: out.deadLetterPath, withIntermediateDirectories: true)
            for name in names.sorted() {
                guard let data = manager.contents(atPath: source + "/" + name) else {
                    throw ResultsError.unreadable(source + "/" + name, "cannot open it")
                }
                let target = out.deadLetterPath + "/" + name
                if !manager.fileExists(atPath: target), !manager.createFile(atPath: target, contents: nil) {
                    throw ResultsError.unwritable(target, "cannot create it")
                }
                do {
                    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
                    try handle.seekToEnd()
                    try handle.write(contentsOf: data)
                    try handle.close()
                } catch {
                    throw ResultsError.unwritable(target, ResultsFolder.reason(of: error))
                }
            }
        }
    }

    /// `2026-11-30T18:00:00Z` → ns since the epoch.
    static func parseISOTime(_ text: String) -> Int64? { UTCTime.nanos(iso: text) }
}
