import StarlingMetrics
import StarlingRun

extension ReportInput {
    /// Reads a results folder: `summary.json` (required), every `<stream>.hgrm` (a stream without
    /// one falls back to the sum of its `intervals.hlog` intervals) and `timeline.csv` (optional: the
    /// charts over time say so when it is absent).
    public init(folder: ResultsFolder) throws(ResultsError) {
        let summary = try folder.readSummary()
        var spectra: [StreamName: [SpectrumPoint]] = [:]
        for stream in try folder.histogramStreams() {
            let points = try folder.percentileDistribution(stream: stream).map { SpectrumPoint(percentile: $0.percentile, valueMs: $0.valueMs) }
            if !points.isEmpty { spectra[stream] = points }
        }
        for (stream, histogram) in try folder.intervalLogTotals() where spectra[stream] == nil && !histogram.isEmpty {
            spectra[stream] = SpectrumPoint.points(of: histogram, valueScale: 1000)
        }
        self.init(summary: summary, spectra: spectra, timelines: try folder.readTimelines())
    }
}
