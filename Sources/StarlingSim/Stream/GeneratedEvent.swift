/// One event of any datasource, for code that handles all three (the load engine, the oracles).
public enum GeneratedEvent: Sendable, Equatable {
    case visit(StoreVisit)
    case commerce(CommerceEvent)
    case touchpoint(Touchpoint)

    /// The event's simulated Unix second.
    public var time: Int64 {
        switch self {
        case .visit(let e): return e.time
        case .commerce(let e): return e.time
        case .touchpoint(let e): return e.time
        }
    }

    /// Writes the event as one NDJSON line; `timestamp` replaces its own time (live mode).
    public func encode(into encoder: inout NDJSONEncoder, timestamp: Int64?) {
        switch self {
        case .visit(let e): e.encode(into: &encoder, timestamp: timestamp)
        case .commerce(let e): e.encode(into: &encoder, timestamp: timestamp)
        case .touchpoint(let e): e.encode(into: &encoder, timestamp: timestamp)
        }
    }

    /// The event with its time replaced (what a live run actually sends).
    public func retimed(_ time: Int64) -> GeneratedEvent {
        switch self {
        case .visit(var e): e.time = time; return .visit(e)
        case .commerce(var e): e.time = time; return .commerce(e)
        case .touchpoint(var e): e.time = time; return .touchpoint(e)
        }
    }

    /// The value of an id-like column, for drawing query parameters that exist in the data.
    public func value(ofColumn column: String) -> String? {
        switch (self, column) {
        case (.visit(let e), "visitor_id"): return e.visitorID
        case (.visit(let e), "store_id"): return e.storeID
        case (.commerce(let e), "user_id"): return e.userID
        case (.commerce(let e), "product_id"): return e.productID
        case (.commerce(let e), "country"): return e.country
        case (.touchpoint(let e), "customer_id"): return e.customerID
        case (.touchpoint(let e), "campaign_id"): return e.campaignID
        case (.touchpoint(let e), "channel"): return e.channel
        default: return nil
        }
    }
}

extension DatasourceStream {
    /// The next event of the whole stream, with whether this shard owns it; nil at the end.
    public mutating func nextEvent() -> (event: GeneratedEvent, owned: Bool)? {
        if footTraffic != nil {
            return footTraffic?.nextEvent().map { (.visit($0.event), $0.owned) } ?? nil
        }
        if ecommerce != nil {
            return ecommerce?.nextEvent().map { (.commerce($0.event), $0.owned) } ?? nil
        }
        return journeys?.nextEvent().map { (.touchpoint($0.event), $0.owned) } ?? nil
    }
}
