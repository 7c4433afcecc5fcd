import StarlingSim

/// `journey_paths`: for each customer with a conversion, the touchpoint types of their time-ordered
/// (filtered) touchpoints up to the first conversion form a path; per path: customers, rounded
/// average seconds from first touchpoint to conversion, revenue of the converting touchpoints.
/// HAVING journeys >= min_count; journeys DESC, journey_path ASC; LIMIT.
/// State: per customer the types before their latest timestamp and the group at that timestamp;
/// once that group holds a conversion, later touchpoints cannot change the path and are skipped.
public struct JourneyPathsOracle: PipeOracle {
    public static let pipe = "journey_paths"
    public static let datasource = "customer_touchpoints"

    struct Customer: Sendable {
        var first: Int64?
        var prefix: [TouchpointKind] = []
        var pending = PendingGroup()
        var converted = false
    }

    struct Path: Sendable {
        var length: Int
        var journeys: Int64 = 0
        var seconds: Int64 = 0
        var cents: Int64 = 0
    }

    let filter: TouchpointFilter
    let minCount: Int
    let limit: RowLimit
    var customers: [Int: Customer] = [:]
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
        let pendingTime = customer.pending.time
        if let time = pendingTime, t.time < time {
            violations.count += 1
            return
        }
        if let time = pendingTime, t.time > time {
            if customer.converted { return }
            customer.first = customer.first ?? time
            customer.prefix += customer.pending.ordered.map(\.kind)
            customer.pending = PendingGroup()
        }
        customer.pending.touchpoints.append(SequencedTouchpoint(t))
        if t.conversion == 1 { customer.converted = true }
    }

    public func rows() -> [ExpectedRow] {
        var paths: [String: Path] = [:]
        for customer in customers.values where customer.converted {
            let group = customer.pending.ordered
            guard let index = group.firstIndex(where: { $0.conversion == 1 }) else { continue }
            let kinds = customer.prefix + group[...index].map(\.kind)
            let key = kinds.map(\.rawValue).joined(separator: " > ")
            let converting = group[index]
            let start = customer.first ?? converting.time
            paths[key, default: Path(length: kinds.count)].journeys += 1
            paths[key]?.seconds += converting.time - start
            paths[key]?.cents += converting.cents
        }
        let shown = paths.filter { $0.value.journeys >= Int64(minCount) }
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
