import StarlingSim

/// `journey_paths`: a journey is what one customer does up to a conversion — each customer's
/// time-ordered (filtered) touchpoints are cut after every converting touchpoint, and each piece
/// ending with a conversion is a journey (touchpoints after the last conversion belong to none yet).
/// Per path: journeys, rounded average seconds from the journey's first touchpoint to its
/// conversion, revenue of the converting touchpoints. HAVING journeys >= min_count; journeys DESC,
/// journey_path ASC; LIMIT.
/// State: per customer the open journey (kinds and first time) and the group at the latest
/// timestamp, whose order is known only once the timestamp is over; per path the totals.
public struct JourneyPathsOracle: PipeOracle {
    public static let pipe = "journey_paths"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["avg_seconds_to_conversion"]

    struct Customer: Sendable {
        var open: [TouchpointKind] = []
        var first: Int64?
        var last: Int64?
        var pending = PendingGroup()
        var conversions = 0
        /// Conversions in the same second as the touchpoint before them.
        var sameSecond = 0
    }

    struct Path: Sendable {
        var length: Int
        var journeys: Int64 = 0
        var seconds: Int64 = 0
        var cents: Int64 = 0
    }

    let filter: TouchpointFilter
    let minCount: Int
    var limit: RowLimit
    public var rowLimit: RowLimit? {
        get { limit }
        set { if let newValue { limit = newValue } }
    }
    var customers: [Int: Customer] = [:]
    /// Journeys already closed (their customer's later timestamps arrived).
    var paths: [String: Path] = [:]
    var violations = OrderViolations()

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window())
        minCount = try reader.int32("min_count", default: 1)
        limit = try reader.limit(default: 20)
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        var customer = customers.removeValue(forKey: t.customer) ?? Customer()
        defer { customers[t.customer] = customer }
        if let time = customer.pending.time, t.time < time {
            violations.count += 1
            return
        }
        if let time = customer.pending.time, t.time > time {
            Self.fold(customer.pending.ordered, into: &customer, paths: &paths)
            customer.pending = PendingGroup()
        }
        customer.pending.touchpoints.append(SequencedTouchpoint(t))
    }

    /// Appends a closed group (one timestamp, in order) to the customer's open journey, closing a
    /// journey at each conversion.
    static func fold(_ group: [SequencedTouchpoint], into customer: inout Customer, paths: inout [String: Path]) {
        for touchpoint in group {
            if customer.first == nil { customer.first = touchpoint.time }
            customer.open.append(touchpoint.kind)
            defer { customer.last = touchpoint.time }
            guard touchpoint.conversion == 1 else { continue }
            customer.conversions += 1
            if customer.open.count > 1 && customer.last == touchpoint.time { customer.sameSecond += 1 }
            let key = customer.open.map(\.rawValue).joined(separator: " > ")
            paths[key, default: Path(length: customer.open.count)].journeys += 1
            paths[key]?.seconds += touchpoint.time - (customer.first ?? touchpoint.time)
            paths[key]?.cents += touchpoint.cents
            customer.open = []
            customer.first = nil
        }
    }

    public func rows() -> [ExpectedRow] {
        var all = paths
        for var customer in customers.values where !customer.pending.touchpoints.isEmpty {
            Self.fold(customer.pending.ordered, into: &customer, paths: &all)
        }
        let shown = all.filter { $0.value.journeys >= Int64(minCount) }
            .rankedDescending(by: \.value.journeys, thenBy: \.key)
        return limit.apply(shown).map { key, path in
            ExpectedRow([
                .init("journey_path", .string(key)),
                .init("path_length", .integer(Int64(path.length))),
                .init("journeys", .integer(path.journeys)),
                .init("avg_seconds_to_conversion", .rounded2(ClickHouseMath.divide(path.seconds, path.journeys))),
                .init("total_revenue", .rounded2(ClickHouseMath.amount(cents: path.cents))),
            ])
        }
    }

    public var unsupportedReason: String? { violations.reason }
}

extension JourneyPathsOracle {
    public func coverage() -> [String: Int] {
        var all = paths
        var folded: [Customer] = []
        for var customer in customers.values {
            if !customer.pending.touchpoints.isEmpty { Self.fold(customer.pending.ordered, into: &customer, paths: &all) }
            folded.append(customer)
        }
        return [
            "a customer with two or more conversions (several journeys)": folded.filter { $0.conversions > 1 }.count,
            "paths tied on journeys": Coverage.tied(all.values.map(\.journeys)),
            "a conversion in the same second as the touchpoint before it": folded.map(\.sameSecond).reduce(0, +),
            "touchpoints after a customer's last conversion (in no journey)": folded.filter { $0.conversions > 0 && !$0.open.isEmpty }.count,
        ]
    }
}
