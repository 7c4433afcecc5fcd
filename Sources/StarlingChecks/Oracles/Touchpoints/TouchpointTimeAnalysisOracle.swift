import StarlingSim

/// `touchpoint_time_analysis`: every consecutive pair in each customer's time-ordered (filtered)
/// touchpoints is a transition; per (from, to) type: count, rounded average, min and max seconds.
/// State: per customer the last placed touchpoint and the group at its latest timestamp.
public struct TouchpointTimeAnalysisOracle: PipeOracle {
    public static let pipe = "touchpoint_time_analysis"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["avg_seconds_between"]

    struct Pair: Hashable, Sendable {
        var from: TouchpointKind
        var to: TouchpointKind
    }

    struct Gaps: Sendable {
        var count: Int64 = 0
        var sum: Int64 = 0
        var min = Int64.max
        var max = Int64.min

        mutating func add(_ seconds: Int64) {
            count += 1
            sum += seconds
            min = Swift.min(min, seconds)
            max = Swift.max(max, seconds)
        }
    }

    struct Customer: Sendable {
        var last: SequencedTouchpoint?
        var pending = PendingGroup()
        var touchpoints = 0
    }

    let filter: TouchpointFilter
    var customers: [Int: Customer] = [:]
    var transitions: [Pair: Gaps] = [:]
    var violations = OrderViolations()

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window(), channel: reader.string("channel"))
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        var customer = customers.removeValue(forKey: t.customer) ?? Customer()
        if let time = customer.pending.time, t.time > time {
            Self.place(&customer, into: &transitions)
        }
        if let time = customer.pending.time, t.time < time {
            violations.count += 1
        } else {
            customer.pending.touchpoints.append(SequencedTouchpoint(t))
            customer.touchpoints += 1
        }
        customers[t.customer] = customer
    }

    /// Moves the pending group into the sequence, recording its transitions.
    static func place(_ customer: inout Customer, into transitions: inout [Pair: Gaps]) {
        for next in customer.pending.ordered {
            if let last = customer.last {
                transitions[Pair(from: last.kind, to: next.kind), default: Gaps()].add(next.time - last.time)
            }
            customer.last = next
        }
        customer.pending = PendingGroup()
    }

    public func rows() -> [ExpectedRow] {
        var all = transitions
        for var customer in customers.values where customer.pending.time != nil {
            Self.place(&customer, into: &all)
        }
        return all.sorted { a, b in
            if a.value.count != b.value.count { return a.value.count > b.value.count }
            if a.key.from != b.key.from { return a.key.from.rawValue.bytewisePrecedes(b.key.from.rawValue) }
            return a.key.to.rawValue.bytewisePrecedes(b.key.to.rawValue)
        }.map { pair, gaps in
            ExpectedRow([
                .init("from_touchpoint", .string(pair.from.rawValue)),
                .init("to_touchpoint", .string(pair.to.rawValue)),
                .init("transitions", .integer(gaps.count)),
                .init("avg_seconds_between", .rounded2(ClickHouseMath.divide(gaps.sum, gaps.count))),
                .init("min_seconds_between", .integer(gaps.min)),
                .init("max_seconds_between", .integer(gaps.max)),
            ])
        }
    }

    public var unsupportedReason: String? { violations.reason }
}

extension TouchpointTimeAnalysisOracle {
    public func coverage() -> [String: Int] {
        var all = transitions
        for var customer in customers.values where customer.pending.time != nil { Self.place(&customer, into: &all) }
        return [
            "a customer with a single touchpoint (HAVING count() >= 2 leaves them out)": customers.values.filter { $0.touchpoints == 1 }.count,
            "a transition within one second": all.values.filter { $0.min == 0 }.count,
            "transition pairs tied on their count": Coverage.tied(all.values.map(\.count)),
        ]
    }
}
