import StarlingSim

/// `events_by_country`: events per country, count DESC, country ASC.
public struct EventsByCountryOracle: PipeOracle {
    public static let pipe = "events_by_country"
    public static let datasource = "ecommerce_events"

    var counts: [String: Int64] = [:]

    public init(parameters: PipeParameters) throws(CheckError) {}

    public mutating func consume(_ event: CommerceEvent) {
        counts[event.country, default: 0] += 1
    }

    public func rows() -> [ExpectedRow] {
        counts.rankedDescending(by: \.value, thenBy: \.key).map {
            ExpectedRow([.init("country", .string($0.key)), .init("event_count", .integer($0.value))])
        }
    }
}

extension EventsByCountryOracle {
    public func coverage() -> [String: Int] {
        ["countries tied on event_count": Coverage.tied(counts.values)]
    }
}
