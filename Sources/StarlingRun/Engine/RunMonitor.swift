import Foundation
import StarlingMetrics
import StarlingSim
import Synchronization

/// Once a second, the progress line (on a terminal); every `logInterval`, one `.hlog` line per stream.
final class RunMonitor: Sendable {
    let context: RunContext
    let log: Mutex<(writer: IntervalLogWriter, sink: FileSink?, lastInterval: Double)>

    init(context: RunContext, folder: ResultsFolder?) {
        self.context = context
        let writer = IntervalLogWriter(startTimeMilliseconds: context.startWall / 1_000_000, maxValueScale: 1000,
                                       comment: "Starling \(context.plan.scenario.name): latency in microseconds from the intended send time; Interval_Max in milliseconds")
        var sink: FileSink?
        if let folder {
            do {
                sink = try folder.openSink(.intervalLog)
            } catch {
                context.warnings.add("intervals.hlog is not written", detail: "\(error)")
            }
        }
        log = Mutex((writer, sink, 0))
    }

    func run(until done: RunCancellation) {
        let clock = context.clock
        var nextTick = context.start + 1_000_000_000
        while !done.isCancelled {
            clock.sleep(until: nextTick, unless: done)
            if done.isCancelled { break }
            nextTick += 1_000_000_000
            if let lost = context.health.check(at: clock.now()) {
                context.stop(lost, notice: IngestWorker.lostNotice(lost, target: context.transport.target))
            }
            let seconds = context.elapsed(clock.now())
            if let progress = context.progress { progress(progressLine(at: seconds)) }
            if seconds - log.withLock({ $0.lastInterval }) >= context.plan.logInterval { writeInterval(upTo: seconds) }
        }
        context.progress?(nil)
    }

    func progressLine(at seconds: Double) -> String {
        let counts = context.ledger.counts
        let ingest = context.shared.totals(prefix: "ingest")
        let queries = context.shared.totals(prefix: "query.")
        let rate = Double(counts.acknowledged + counts.quarantined) / max(seconds, 0.001)
        return "[\(Int(seconds))s/\(Int(context.plan.duration))s] events \(counts.generated) sent, \(Int(rate))/s acked"
            + " · requests \(ingest.completions) (\(ingest.errors) errors) · queries \(queries.completions) (\(queries.errors) errors)"
    }

    func writeInterval(upTo seconds: Double) {
        let intervals = context.shared.takeIntervals()
        let failure: String? = log.withLock { state in
            let start = state.lastInterval
            state.lastInterval = seconds
            do {
                for (stream, histogram) in intervals where histogram.totalCount > 0 {
                    try state.writer.append(histogram, tag: stream, startSeconds: start, lengthSeconds: seconds - start)
                }
                try state.sink?.write(Array(state.writer.takeText().utf8))
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure { context.warnings.add("intervals.hlog is incomplete", detail: failure) }
    }

    /// Writes the last interval and closes the log.
    func finishLog() {
        writeInterval(upTo: context.elapsed(context.clock.now()))
        log.withLock { $0.sink?.close() }
    }
}
