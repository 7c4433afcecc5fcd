import StarlingChecks
import StarlingSim

/// Which (pipe, parameters) combinations a run verifies: the defaults, each filter alone (with an id
/// that exists and one that does not), limits, and time windows that split the run's time range.
public enum CheckPlan {
    /// The combinations for `pipes` (default: every pipe whose datasource the scenario sends), with
    /// windows cut from `range` (inclusive Unix seconds of the events the run will send).
    public static func combinations(pipes requested: [String]?, datasources: [String], range: ClosedRange<Int64>) -> [(pipe: String, parameters: PipeParameters)] {
        let pipes = requested ?? PipeOracles.pipes.filter { PipeOracles.datasource(of: $0).map(datasources.contains) ?? false }
        let middle = range.lowerBound + (range.upperBound - range.lowerBound) / 2
        let first: [String: String] = ["start_date": formatTimestamp(range.lowerBound), "end_date": formatTimestamp(middle)]
        let second: [String: String] = ["start_date": formatTimestamp(middle + 1), "end_date": formatTimestamp(range.upperBound)]
        func merge(_ a: [String: String], _ b: [String: String]) -> [String: String] { a.merging(b) { x, _ in x } }
        var result: [(String, PipeParameters)] = []
        for pipe in pipes {
            let sets: [[String: String]]
            switch pipe {
            case "visitor_details":
                sets = [[:], ["visitor_id": "visitor_1"], ["visitor_id": "visitor_0"], ["limit": "5"], first, merge(["visitor_id": "visitor_1"], second)]
            case "hourly_traffic_patterns":
                sets = [[:], ["store_id": "store_1"], first]
            case "visits_by_store":
                sets = [[:], ["store_id": "store_2"], ["limit": "2"], second]
            case "customer_journey_details":
                sets = [["customer_id": "cust_1"], ["customer_id": "cust_1", "limit": "3"], ["customer_id": "cust_0"], merge(["customer_id": "cust_1"], first)]
            case "touchpoint_time_analysis", "touchpoint_funnel":
                sets = [[:], ["channel": pipe == "touchpoint_funnel" ? "website" : "email"], first]
            case "device_channel_analysis", "channel_performance":
                sets = [[:], second]
            case "customer_journey_summary":
                sets = [[:], ["customer_id": "cust_1"], ["limit": "5"], second]
            case "journey_paths":
                sets = [[:], ["min_count": "2", "limit": "5"], first]
            case "campaign_performance":
                sets = [[:], ["campaign_id": "summer_sale_2025"], ["limit": "2"], first]
            default:
                sets = [[:]]
            }
            result += sets.map { (pipe, PipeParameters($0)) }
        }
        return result
    }
}

/// The oracles of a run, fed every event as it is sent.
public struct OracleSet: Sendable {
    public private(set) var oracles: [AnyPipeOracle] = []
    var byDatasource: [String: [Int]] = [:]
    /// Combinations whose parameters the oracle (like the template) refused: reported, not checked.
    public private(set) var refused: [(pipe: String, parameters: PipeParameters, reason: String)] = []

    public init(_ combinations: [(pipe: String, parameters: PipeParameters)]) {
        for (pipe, parameters) in combinations {
            do {
                let oracle = try PipeOracles.make(pipe: pipe, parameters: parameters)
                byDatasource[oracle.datasource, default: []].append(oracles.count)
                oracles.append(oracle)
            } catch {
                refused.append((pipe, parameters, error.description))
            }
        }
    }

    public mutating func consume(datasource: String, _ event: GeneratedEvent) {
        for i in byDatasource[datasource] ?? [] {
            switch event {
            case .visit(let e): oracles[i].consume(e)
            case .commerce(let e): oracles[i].consume(e)
            case .touchpoint(let e): oracles[i].consume(e)
            }
        }
    }
}
