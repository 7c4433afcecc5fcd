import StarlingChecks
@testable import StarlingSim

/// Hand-made events for the oracle unit tests. Times are seconds after `t0` (2025-03-03 00:00:00 UTC).
enum Fixtures {
    static let t0: Int64 = 1_740_960_000

    static func visit(_ visitor: Int, store: Int, at second: Int64, dwell: Int, entry: String = "main entrance", tags: [String] = []) -> StoreVisit {
        StoreVisit(visit: Int(second), store: store, time: t0 + second, visitor: visitor, entryPoint: entry,
                   exitPoint: entry, dwellSeconds: dwell, tags: tags)
    }

    static func sale(_ kind: CommerceEvent.Kind, product: Int, price: Double, quantity: Int = 1, at second: Int64 = 0, country: String = "US") -> CommerceEvent {
        CommerceEvent(time: t0 + second, kind: kind, user: 1, product: product, category: "Books", price: price,
                      quantity: quantity, session: 1, country: country)
    }

    static func touch(
        _ customer: Int, _ kind: TouchpointKind, at second: Int64, journey: Int = 1, step: Int = 1, session: Int = 1,
        channel: String = "website", device: String = "desktop", campaign: String = "", amount: Double = 0, spent: Int = 10
    ) -> Touchpoint {
        Touchpoint(customer: customer, journey: journey, sessionNumber: session, time: t0 + second, step: step, kind: kind,
                   channel: channel, device: device, campaignID: campaign, transactionAmount: amount, referrer: "",
                   pageURL: "/", timeSpent: spent, metadata: "{}")
    }

    static func time(_ second: Int64) -> String { formatTimestamp(t0 + second) }

    /// The rows of `pipe` with `parameters` over the given events.
    static func rows(_ pipe: String, _ parameters: PipeParameters = [:], visits: [StoreVisit] = [], commerce: [CommerceEvent] = [], touchpoints: [Touchpoint] = []) throws -> [ExpectedRow] {
        var oracle = try PipeOracles.make(pipe: pipe, parameters: parameters)
        for e in visits { oracle.consume(e) }
        for e in commerce { oracle.consume(e) }
        for e in touchpoints { oracle.consume(e) }
        return oracle.rows()
    }

    /// One column of every row.
    static func column(_ rows: [ExpectedRow], _ name: String) -> [ExpectedValue?] {
        rows.map { $0[name] }
    }
}
