import Foundation
import StarlingRun
import StarlingSim

/// `starling bench generate`: how fast one core generates and encodes each domain's events, and the
/// peak resident memory while doing it. Nothing is written: the encoder's buffer is reused.
public enum GenerateBenchmark {
    public struct Result: Sendable {
        public var datasource: String
        public var events: Int
        public var seconds: Double
        public var bytes: Int
        /// Peak RSS of the process during this datasource's run (VmHWM, reset before it), in bytes.
        public var peakRSSBytes: Int?

        public var eventsPerSecond: Double { Double(events) / max(seconds, 1e-9) }
        public var megabytesPerSecond: Double { Double(bytes) / 1_048_576 / max(seconds, 1e-9) }
    }

    public static func run(_ config: DatasourceConfig, events: Int, seed: UInt64, start: Int64) -> Result {
        ProcessMemory.resetPeak()
        var stream = DatasourceStream(config, seed: seed, start: start)
        var encoder = NDJSONEncoder(capacity: 1 << 20)
        var bytes = 0
        let clock = ContinuousClock()
        let began = clock.now
        while stream.produced < events, stream.encodeNext(into: &encoder) != nil {
            if encoder.byteCount >= 1 << 20 {
                bytes += encoder.byteCount
                encoder.removeAllBytes()
            }
        }
        bytes += encoder.byteCount
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(datasource: config.name, events: stream.produced, seconds: seconds, bytes: bytes, peakRSSBytes: ProcessMemory.peakResident)
    }
}
