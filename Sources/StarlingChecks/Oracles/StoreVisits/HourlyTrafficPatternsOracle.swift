import StarlingSim

/// `hourly_traffic_patterns`: per UTC hour of day, visits, distinct visitors, rounded average dwell.
public struct HourlyTrafficPatternsOracle: PipeOracle {
    public static let pipe = "hourly_traffic_patterns"
    public static let datasource = "store_visits"
    public static let roundedRatios = ["avg_dwell_time"]

    struct Hour: Sendable {
        var visits: Int64 = 0
        var visitors: Set<Int> = []
        var dwell: Int64 = 0
    }

    let storeID: String?
    let window: TimeWindow
    var hours = [Hour](repeating: Hour(), count: 24)

    public init(parameters: PipeParameters) throws(CheckError) {
        let reader = ParameterReader(pipe: Self.pipe, parameters: parameters)
        storeID = reader.string("store_id")
        window = try reader.window()
    }

    public mutating func consume(_ visit: StoreVisit) {
        guard window.contains(visit.time) else { return }
        if let storeID, visit.storeID != storeID { return }
        let hour = CivilTime.secondOfDay(epochSeconds: visit.time) / 3600
        hours[hour].visits += 1
        hours[hour].visitors.insert(visit.visitor)
        hours[hour].dwell += Int64(visit.dwellSeconds)
    }

    public func rows() -> [ExpectedRow] {
        hours.enumerated().filter { $0.element.visits > 0 }.map { hour, h in
            ExpectedRow([
                .init("hour_of_day", .integer(Int64(hour))),
                .init("visit_count", .integer(h.visits)),
                .init("unique_visitors", .integer(Int64(h.visitors.count))),
                .init("avg_dwell_time", .rounded2(ClickHouseMath.divide(h.dwell, h.visits))),
            ])
        }
    }
}

extension HourlyTrafficPatternsOracle {
    public func coverage() -> [String: Int] {
        let busy = hours.indices.filter { hours[$0].visits > 0 }.map(Int64.init)
        return [
            "an hour without visits between hours with visits": Coverage.gaps(busy),
            "a visitor counted in several hours": Coverage.inSeveral(hours.map(\.visitors)),
            "an average dwell time that needs rounding": hours.filter { $0.visits > 0 && ($0.dwell * 100) % $0.visits != 0 }.count,
        ]
    }
}
