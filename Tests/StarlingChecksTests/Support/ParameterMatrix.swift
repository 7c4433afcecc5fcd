import Foundation
import StarlingChecks
import StarlingSim

/// The parameter combinations the differential test queries for each pipe over one corpus:
/// defaults, each filter alone, windows that cut the data in the middle (some starting and ending
/// exactly on an event's timestamp, one a single second), ids that exist and ids that do not,
/// and LIMIT / min_count variations.
struct ParameterMatrix {
    let corpus: Corpus

    func windows(_ times: [Int64]) -> [PipeParameters] {
        guard !times.isEmpty else { return [] }
        let (a, b, mid) = (times[times.count / 3], times[2 * times.count / 3], times[times.count / 2])
        let text = formatTimestamp
        return [
            ["start_date": text(a)],
            ["end_date": text(b)],
            ["start_date": text(a), "end_date": text(b)],
            ["start_date": text(a + 1), "end_date": text(b - 1)],
            ["start_date": text(mid), "end_date": text(mid)],
            ["start_date": text(a).replacingOccurrences(of: " ", with: "T")],
        ]
    }

    static func mostCommon<K: Hashable>(_ keys: some Sequence<K>) -> K? {
        var counts: [K: Int] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : "\($0.key)" > "\($1.key)" }?.key
    }

    func combinations(for pipe: String) -> [PipeParameters] {
        let visitWindows = windows(corpus.visits.map(\.time))
        let touchWindows = windows(corpus.touchpoints.map(\.time))
        let visitor = Self.mostCommon(corpus.visits.map(\.visitorID)) ?? "visitor_1"
        let store = Self.mostCommon(corpus.visits.map(\.storeID)) ?? "store_1"
        let customer = Self.mostCommon(corpus.touchpoints.map(\.customerID)) ?? "cust_1"
        let channel = Self.mostCommon(corpus.touchpoints.map(\.channel)) ?? "email"
        let campaigns = corpus.touchpoints.map(\.campaignID).filter { !$0.isEmpty }
        let campaign = Self.mostCommon(campaigns) ?? "c"
        let paid = Self.mostCommon(campaigns.filter { $0 != campaign }) ?? "c"
        func with(_ base: PipeParameters, _ windows: [PipeParameters]) -> [PipeParameters] {
            windows.map { PipeParameters(base.values.merging($0.values) { a, _ in a }) }
        }
        switch pipe {
        case "visitor_details":
            return [[:], ["limit": "5"], ["limit": "0"], ["visitor_id": visitor], ["visitor_id": "visitor_999999999"]]
                + visitWindows + with(["visitor_id": visitor], Array(visitWindows.prefix(2)))
        case "hourly_traffic_patterns":
            return [[:], ["store_id": store], ["store_id": "store_999"]] + visitWindows
                + with(["store_id": store], Array(visitWindows.prefix(3)))
        case "visits_by_store":
            return [[:], ["store_id": store], ["store_id": "store_999"], ["limit": "3"], ["limit": "-2"], ["limit": "+05"]]
                + visitWindows
        case "customer_journey_details":
            return [["customer_id": customer], ["customer_id": customer, "limit": "3"], ["customer_id": "cust_999999999"]]
                + with(["customer_id": customer], touchWindows)
        case "touchpoint_time_analysis", "touchpoint_funnel":
            return [[:], ["channel": channel], ["channel": "no_such_channel"]] + touchWindows
                + with(["channel": channel], Array(touchWindows.prefix(3)))
        case "customer_journey_summary":
            return [[:], ["customer_id": customer], ["customer_id": "cust_999999999"], ["limit": "10"]] + touchWindows
        case "journey_paths":
            return [[:], ["min_count": "2"], ["limit": "5"], ["limit": "1000"], ["min_count": "3", "limit": "1000"], ["limit": "-3"]]
                + with(["limit": "1000"], touchWindows)
        case "campaign_performance":
            return [[:], ["campaign_id": campaign], ["campaign_id": paid], ["campaign_id": "no_such_campaign"], ["limit": "2"]]
                + touchWindows
        case "device_channel_analysis", "channel_performance":
            return [[:]] + touchWindows
        default:
            return [[:]]
        }
    }
}
