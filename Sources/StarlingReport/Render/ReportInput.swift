import StarlingMetrics
import StarlingRun

/// Everything a report is drawn from: the run's summary, each stream's percentile spectrum and its
/// per-second timeline. Built from a finished run (``init(_:)``) or read back from a results folder
/// alone (``init(folder:)``), so `starling report <dir>` renders the same pages as the run did.
public struct ReportInput: Sendable {
    public var summary: RunSummary
    /// Per stream, HdrHistogram's percentile ticks (values in milliseconds), ascending.
    public var spectra: [StreamName: [SpectrumPoint]]
    /// Per stream, one row per second (latencies in microseconds, as ``TimelineRow`` holds them).
    public var timelines: [StreamName: [TimelineRow]]

    public init(summary: RunSummary, spectra: [StreamName: [SpectrumPoint]], timelines: [StreamName: [TimelineRow]]) {
        self.summary = summary
        self.spectra = spectra
        self.timelines = timelines
    }

    /// From a run that just finished: spectra straight from its histograms (microseconds → ms).
    public init(_ outcome: RunOutcome) {
        var spectra: [StreamName: [SpectrumPoint]] = [:]
        for (stream, histogram) in outcome.histograms where !histogram.isEmpty {
            spectra[stream] = SpectrumPoint.points(of: histogram, valueScale: 1000)
        }
        self.init(summary: outcome.summary, spectra: spectra, timelines: outcome.timelines)
    }

    /// Latency streams (`ingest`, `query.<pipe>`) in display order: ingest first, then queries by name.
    var latencyStreams: [StreamName] {
        summary.streams.keys.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    private func rank(_ stream: StreamName) -> Int { stream == "ingest" ? 0 : 1 }
}

/// One tick of a percentile spectrum: the latency (ms) reached at `percentile` (0…100).
public struct SpectrumPoint: Sendable, Equatable {
    public var percentile: Double
    public var valueMs: Double

    public init(percentile: Double, valueMs: Double) {
        self.percentile = percentile
        self.valueMs = valueMs
    }

    /// HdrHistogram's percentile ticks of `histogram`, values divided by `valueScale`.
    static func points(of histogram: HDRHistogram, valueScale: Double) -> [SpectrumPoint] {
        histogram.percentileSteps().map { SpectrumPoint(percentile: $0.percentile, valueMs: Double($0.value) / valueScale) }
    }
}
