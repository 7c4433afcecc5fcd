import Foundation
import StarlingChecks
import StarlingSim

/// A large differential check without holding the events: each datasource's stream is generated
/// once, every event goes to the oracles of its datasource and into an NDJSON batch, and batches
/// of about 4 MB are ingested as they fill.
struct StreamingCheck {
    let target: CheckTarget
    let seed: UInt64
    let events: Int
    var oracles: [AnyPipeOracle]

    init(target: CheckTarget, seed: UInt64, events: Int, checks: [(pipe: String, parameters: PipeParameters)]) throws {
        self.target = target
        self.seed = seed
        self.events = events
        oracles = try checks.map { try PipeOracles.make(pipe: $0.pipe, parameters: $0.parameters) }
    }

    mutating func run() async throws {
        for datasource in DifferentialTests.datasources { try await target.truncate(datasource) }
        let s = seed
        try await feed(EventStream(model: FootTrafficModel(config: FootTrafficConfig(), seed: s), seed: s, start: Corpus.start)) { $0.consume($1) }
        try await feed(EventStream(model: EcommerceModel(config: EcommerceConfig(), seed: s), seed: s, start: Corpus.start)) { $0.consume($1) }
        try await feed(EventStream(model: JourneyModel(config: JourneyConfig(), seed: s), seed: s, start: Corpus.start)) { $0.consume($1) }
    }

    private mutating func feed<M: DomainModel>(_ stream: EventStream<M>, _ consume: (inout AnyPipeOracle, M.Event) -> Void) async throws {
        var stream = stream
        let mine = oracles.indices.filter { oracles[$0].datasource == M.datasource }
        var encoder = NDJSONEncoder(capacity: 1 << 23)
        for _ in 0..<events {
            guard let event = stream.next() else { break }
            for i in mine { consume(&oracles[i], event) }
            event.encode(into: &encoder, timestamp: nil)
            if encoder.byteCount > 4 << 20 {
                try await target.ingest(M.datasource, ndjson: encoder.bytes)
                encoder.removeAllBytes()
            }
        }
        if encoder.byteCount > 0 { try await target.ingest(M.datasource, ndjson: encoder.bytes) }
    }
}
