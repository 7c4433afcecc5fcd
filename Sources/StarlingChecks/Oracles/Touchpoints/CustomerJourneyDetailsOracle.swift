import StarlingSim

/// `customer_journey_details`: every touchpoint of one customer (required `customer_id`), all
/// columns, ordered by (timestamp, touchpoint_id, session_id); LIMIT only when `limit` is given.
/// With a limit it holds at most about 2 × |LIMIT| touchpoints: the list is cut back to the rows
/// LIMIT keeps whenever it doubles.
public struct CustomerJourneyDetailsOracle: PipeOracle {
    public static let pipe = "customer_journey_details"
    public static let datasource = "customer_touchpoints"

    let filter: TouchpointFilter
    /// (Not a `rowLimit`: it also bounds what is kept while consuming, so a fed oracle cannot be
    /// given a larger one.)
    let limit: RowLimit
    var kept: [Touchpoint] = []

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window(), customerID: try reader.requiredString("customer_id"))
        limit = reader.string("limit") == nil ? RowLimit(.max) : try reader.limit(default: 1000)
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        kept.append(t)
        // The rows LIMIT keeps (first or last n) stay among those kept here whatever comes later.
        if kept.count > max(2 * min(limit.count, 1 << 20), 64) {
            kept = Array(limit.apply(Self.ordered(kept)))
        }
    }

    static func ordered(_ touchpoints: [Touchpoint]) -> [Touchpoint] {
        touchpoints.sorted { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.touchpointID != b.touchpointID { return a.touchpointID.bytewisePrecedes(b.touchpointID) }
            return a.sessionID.bytewisePrecedes(b.sessionID)
        }
    }

    public func rows() -> [ExpectedRow] {
        limit.apply(Self.ordered(kept)).map { t in
            ExpectedRow([
                .init("customer_id", .string(t.customerID)),
                .init("session_id", .string(t.sessionID)),
                .init("timestamp", .dateTime(t.time)),
                .init("touchpoint_id", .string(t.touchpointID)),
                .init("touchpoint_type", .string(t.kind.rawValue)),
                .init("channel", .string(t.channel)),
                .init("device", .string(t.device)),
                .init("campaign_id", .string(t.campaignID)),
                .init("conversion", .integer(Int64(t.conversion))),
                .init("transaction_amount", .float(ClickHouseMath.amount(cents: ClickHouseMath.cents(t.transactionAmount)))),
                .init("referrer", .string(t.referrer)),
                .init("page_url", .string(t.pageURL)),
                .init("time_spent", .integer(Int64(t.timeSpent))),
                .init("action", .string(t.kind.action)),
                .init("metadata", .string(t.metadata.text)),
            ])
        }
    }
}

extension CustomerJourneyDetailsOracle {
    public func coverage() -> [String: Int] {
        [
            "touchpoints of the customer in the same second": Coverage.tied(kept.map(\.time)),
            "a limit below the customer's touchpoints": limit.value != .max && kept.count > limit.count ? 1 : 0,
        ]
    }
}
