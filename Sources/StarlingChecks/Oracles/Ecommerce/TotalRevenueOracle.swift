import StarlingSim

/// `total_revenue`: purchase revenue per 15-minute bin (UTC), bins with a purchase, oldest first.
public struct TotalRevenueOracle: PipeOracle {
    public static let pipe = "total_revenue"
    public static let datasource = "ecommerce_events"
    static let binSeconds: Int64 = 15 * 60

    var bins: [Int64: Int64] = [:]
    var purchases: [Int64: Int] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {}

    public mutating func consume(_ event: CommerceEvent) {
        guard event.kind == .purchase else { return }
        let bin = event.time - ((event.time % Self.binSeconds) + Self.binSeconds) % Self.binSeconds
        bins[bin, default: 0] += ClickHouseMath.cents(event.price) * Int64(event.quantity)
        purchases[bin, default: 0] += 1
    }

    public func rows() -> [ExpectedRow] {
        bins.sorted { $0.key < $1.key }.map {
            ExpectedRow([
                .init("time_bin", .dateTime($0.key)),
                .init("total_revenue", .float(ClickHouseMath.amount(cents: $0.value))),
            ])
        }
    }
}

extension TotalRevenueOracle {
    public func coverage() -> [String: Int] {
        [
            "a 15-minute bin with several purchases": purchases.values.filter { $0 > 1 }.count,
            "an empty bin between bins with purchases": Coverage.gaps(bins.keys, step: Self.binSeconds),
        ]
    }
}
