import Foundation
import StarlingMetrics
import StarlingSim
import Synchronization

/// Once a second, the progress line (on a terminal); every `logInterval`, one `.hlog` line per stream.
final class RunMonitor: Sendable {
    let plan: RunPlan
    let shared: SharedRecorder
    let ledger: IngestLedger
    let startNanos: UInt64
    let log: Mutex<(writer: IntervalLogWriter, sink: FileSink?, lastInterval: Double)>

    init(plan: RunPlan, shared: SharedRecorder, ledger: IngestLedger, startNanos: UInt64, startWallNanos: Int64) {
        self.plan = plan
        self.shared = shared
        self.ledger = ledger
        self.startNanos = startNanos
        let writer = IntervalLogWriter(startTimeMilliseconds: startWallNanos / 1_000_000, maxValueScale: 1000,
                                       comment: "Starling \(plan.scenario.name): latency in microseconds from the intended send time; Interval_Max in milliseconds")
        log = Mutex((writer, try? FileSink(path: plan.outputDirectory + "/intervals.hlog"), 0))
    }

    func run(until done: StopFlag) {
        var nextTick = startNanos + 1_000_000_000
        while !done.isSet {
            done.sleep(until: nextTick)
            if done.isSet { break }
            nextTick += 1_000_000_000
            let seconds = Double(MonotonicClock.now() - startNanos) / 1e9
            if plan.showProgress { showProgress(at: seconds) }
            if seconds - log.withLock({ $0.lastInterval }) >= plan.logInterval { writeInterval(upTo: seconds) }
        }
        if plan.showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func showProgress(at seconds: Double) {
        let counts = ledger.counts
        let ingest = shared.totals(prefix: "ingest")
        let queries = shared.totals(prefix: "query.")
        let rate = Double(counts.acknowledged + counts.quarantined) / max(seconds, 0.001)
        let line = "[\(Int(seconds))s/\(Int(plan.duration))s] events \(counts.generated) sent, \(Int(rate))/s acked"
            + " · requests \(ingest.completions) (\(ingest.errors) errors) · queries \(queries.completions) (\(queries.errors) errors)"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    func writeInterval(upTo seconds: Double) {
        let intervals = shared.takeIntervals()
        log.withLock { state in
            let start = state.lastInterval
            for (stream, histogram) in intervals where histogram.totalCount > 0 {
                try? state.writer.append(histogram, tag: stream, startSeconds: start, lengthSeconds: seconds - start)
            }
            state.lastInterval = seconds
            try? state.sink?.write(Array(state.writer.takeText().utf8))
        }
    }

    /// Writes the last interval and closes the log.
    func finishLog() {
        writeInterval(upTo: Double(MonotonicClock.now() - startNanos) / 1e9)
        log.withLock { $0.sink?.close() }
    }
}
