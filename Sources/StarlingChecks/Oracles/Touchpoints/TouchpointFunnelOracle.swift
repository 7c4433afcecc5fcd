import StarlingSim

/// `touchpoint_funnel`: customers and touchpoints per funnel step, the share of all filtered
/// customers, and the drop-off from the previous step shown. The funnel's steps and stages are
/// `TouchpointKind`'s (`funnelStep`, `stage`): one definition for the generator, this oracle and
/// the pipe (`FunnelDefinitionTests` checks the pipe's SQL against it).
public struct TouchpointFunnelOracle: PipeOracle {
    public static let pipe = "touchpoint_funnel"
    public static let datasource = "customer_touchpoints"
    public static let roundedRatios = ["pct_of_customers", "dropoff_pct"]

    let filter: TouchpointFilter
    var allCustomers: Set<Int> = []
    var customers: [String: Set<Int>] = [:]
    var touchpoints: [String: Int64] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        filter = TouchpointFilter(window: try reader.window(), channel: reader.string("channel"))
    }

    public mutating func consume(_ t: Touchpoint) {
        guard filter.admits(t) else { return }
        allCustomers.insert(t.customer)
        let type = t.kind.rawValue
        customers[type, default: []].insert(t.customer)
        touchpoints[type, default: 0] += 1
    }

    public func rows() -> [ExpectedRow] {
        var rows: [ExpectedRow] = []
        var previous: Int64?
        let all = Int64(allCustomers.count)
        for kind in TouchpointKind.allCases {
            let type = kind.rawValue
            guard let count = touchpoints[type], let set = customers[type] else { continue }
            let step = kind.funnelStep
            let reached = Int64(set.count)
            let prev = previous ?? reached
            previous = reached
            rows.append(ExpectedRow([
                .init("funnel_step", .integer(Int64(step))),
                .init("touchpoint_type", .string(type)),
                .init("journey_stage", .string(kind.stage.rawValue)),
                .init("customers", .integer(reached)),
                .init("touchpoints", .integer(count)),
                .init("pct_of_customers", .rounded2(ClickHouseMath.divide(100 * reached, all))),
                .init("dropoff_pct", .rounded2(ClickHouseMath.divide(100 * (prev - reached), prev))),
            ]))
        }
        return rows
    }
}

extension TouchpointFunnelOracle {
    public func coverage() -> [String: Int] {
        let shown = TouchpointKind.allCases.filter { customers[$0.rawValue] != nil }
        let reached = shown.map { customers[$0.rawValue]?.count ?? 0 }
        return [
            "a funnel step without touchpoints between steps with touchpoints": Coverage.gaps(shown.map { Int64($0.funnelStep) }),
            "a step with more customers than the step shown before it": zip(reached, reached.dropFirst()).filter { $0 < $1 }.count,
        ]
    }
}
