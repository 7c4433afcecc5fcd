import StarlingSim

/// One touchpoint as the path pipes sort it: the tuple (timestamp, touchpoint_id, touchpoint_type,
/// conversion, transaction_amount) compared element by element, strings bytewise.
struct SequencedTouchpoint: Sendable {
    var time: Int64
    var journey: Int
    var step: Int
    var kind: TouchpointKind
    var conversion: Int
    var cents: Int64

    init(_ t: Touchpoint) {
        (time, journey, step, kind) = (t.time, t.journey, t.step, t.kind)
        (conversion, cents) = (t.conversion, ClickHouseMath.cents(t.transactionAmount))
    }

    var touchpointID: String { "tp_\(journey)_\(step)" }

    func precedes(_ other: SequencedTouchpoint) -> Bool {
        if time != other.time { return time < other.time }
        let (a, b) = (touchpointID, other.touchpointID)
        if a != b { return a.bytewisePrecedes(b) }
        if kind != other.kind { return kind.rawValue.bytewisePrecedes(other.kind.rawValue) }
        if conversion != other.conversion { return conversion < other.conversion }
        return cents < other.cents
    }
}

/// The open end of one customer's time-ordered sequence: the touchpoints sharing the latest
/// timestamp seen. Their order among themselves is only known once the timestamp is over (ties
/// sort by touchpoint_id), so they wait here; everything earlier is already folded into the
/// oracle's aggregates. Needs each customer's events in non-decreasing time.
struct PendingGroup: Sendable {
    var touchpoints: [SequencedTouchpoint] = []

    var time: Int64? { touchpoints.first?.time }

    /// The group sorted by the pipes' tuple order.
    var ordered: [SequencedTouchpoint] { touchpoints.sorted { $0.precedes($1) } }
}

/// Counts touchpoints that arrived before a later touchpoint of the same customer, which the
/// path oracles cannot place; their answer is then not exact and they say why.
struct OrderViolations: Sendable {
    var count = 0

    var reason: String? {
        count == 0 ? nil : "\(count) touchpoints arrived after a later touchpoint of the same customer; "
            + "this oracle needs each customer's events in non-decreasing time"
    }
}
