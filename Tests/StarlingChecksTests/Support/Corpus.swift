import StarlingChecks
import StarlingSim
import Testing

/// The events of one seed for the three datasources, typed (for the oracles) and as the NDJSON the
/// target ingests (encoded from the same typed events).
struct Corpus: Sendable {
    /// 2025-03-03 00:00:00 UTC, a Monday.
    static let start: Int64 = 1_740_960_000

    var visits: [StoreVisit] = []
    var commerce: [CommerceEvent] = []
    var touchpoints: [Touchpoint] = []

    init(seed: UInt64, events: Int) {
        var visitStream = EventStream(model: FootTrafficModel(config: FootTrafficConfig(), seed: seed), seed: seed, start: Self.start)
        var commerceStream = EventStream(model: EcommerceModel(config: EcommerceConfig(), seed: seed), seed: seed, start: Self.start)
        var journeyStream = EventStream(model: JourneyModel(config: JourneyConfig(), seed: seed), seed: seed, start: Self.start)
        for _ in 0..<events {
            if let v = visitStream.next() { visits.append(v) }
            if let c = commerceStream.next() { commerce.append(c) }
            if let t = journeyStream.next() { touchpoints.append(t) }
        }
    }

    static func ndjson(_ events: [some DomainEvent]) -> [UInt8] {
        var encoder = NDJSONEncoder()
        for event in events { event.encode(into: &encoder, timestamp: nil) }
        return encoder.bytes
    }

    /// The expected rows of `pipe` with `parameters` over this corpus.
    func expected(_ pipe: String, _ parameters: PipeParameters) throws -> [ExpectedRow] {
        var oracle = try PipeOracles.make(pipe: pipe, parameters: parameters)
        switch oracle.datasource {
        case "store_visits": for e in visits { oracle.consume(e) }
        case "ecommerce_events": for e in commerce { oracle.consume(e) }
        default: for e in touchpoints { oracle.consume(e) }
        }
        #expect(oracle.unsupportedReason == nil, "\(pipe): \(oracle.unsupportedReason ?? "")")
        return oracle.rows()
    }
}
