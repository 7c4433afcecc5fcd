/// One event of any datasource, for code that handles them all (the load engine, the oracles).
public enum GeneratedEvent: Sendable, Equatable {
    case visit(StoreVisit)
    case commerce(CommerceEvent)
    case touchpoint(Touchpoint)
    /// A row of a datasource described by its schema and field specs.
    case row(SpecRow)

    /// The event's simulated Unix second.
    public var time: Int64 {
        switch self {
        case .visit(let e): return e.time
        case .commerce(let e): return e.time
        case .touchpoint(let e): return e.time
        case .row(let e): return e.time
        }
    }

    /// Writes the event as one NDJSON line; `timestamp` replaces its own time (live mode).
    public func encode(into encoder: inout NDJSONEncoder, timestamp: Int64?) {
        switch self {
        case .visit(let e): e.encode(into: &encoder, timestamp: timestamp)
        case .commerce(let e): e.encode(into: &encoder, timestamp: timestamp)
        case .touchpoint(let e): e.encode(into: &encoder, timestamp: timestamp)
        case .row(let e): e.encode(into: &encoder, timestamp: timestamp)
        }
    }

    /// The event with its time replaced (what a live run actually sends).
    public func retimed(_ time: Int64) -> GeneratedEvent {
        switch self {
        case .visit(var e): e.time = time; return .visit(e)
        case .commerce(var e): e.time = time; return .commerce(e)
        case .touchpoint(var e): e.time = time; return .touchpoint(e)
        case .row(var e): e.time = time; return .row(e)
        }
    }

    /// The value of a String column (ids, categories, channels…) as written, or nil for another
    /// column: for drawing query parameters and check plans from values that were sent.
    public func value(ofColumn column: String) -> String? {
        switch self {
        case .visit(let e): return e.value(ofColumn: column)
        case .commerce(let e): return e.value(ofColumn: column)
        case .touchpoint(let e): return e.value(ofColumn: column)
        case .row(let e):
            return e.value(ofColumn: column)
        }
    }
}

extension DatasourceStream {
    /// The next event of the whole stream, with whether this shard owns it; nil at the end.
    public mutating func nextEvent() -> (event: GeneratedEvent, owned: Bool)? {
        nextEventAndOwner().map { ($0.event, $0.owner == shard.index) }
    }

    /// The next event of the whole stream, with the shard that owns it; nil at the end.
    public mutating func nextEventAndOwner() -> (event: GeneratedEvent, owner: Int)? {
        let next: (event: GeneratedEvent, owner: Int)?
        switch domain {
        case .footTraffic: next = footTraffic?.nextEventAndOwner().map { (.visit($0.event), $0.owner) } ?? nil
        case .ecommerce: next = ecommerce?.nextEventAndOwner().map { (.commerce($0.event), $0.owner) } ?? nil
        case .linkedEcommerce:
            next = nextLinkedRecord().flatMap { record, owner in ecommerce.map { (.commerce($0.model.event(record)), owner) } }
        case .journeys: next = journeys?.nextEventAndOwner().map { (.touchpoint($0.event), $0.owner) } ?? nil
        case .spec: next = spec?.nextEventAndOwner().map { (.row($0.event), $0.owner) } ?? nil
        }
        if next != nil { produced += 1 }
        return next
    }
}
