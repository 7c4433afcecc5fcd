import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// The scenario used by the stream tests: all three datasources, small populations so that
/// entities repeat and sessions overlap.
func smallScenario() throws -> Scenario {
    let json = """
    {"format": 1, "seed": 99, "start": "2025-05-16 06:00:00", "events": 3000,
     "datasources": {
       "store_visits": {"stores": 4, "visitors": 300, "visits_per_hour": 2000},
       "ecommerce_events": {"users": 200, "products": 50, "sessions_per_hour": 3000},
       "customer_touchpoints": {"customers": 150, "journeys_per_hour": 1500}
     }}
    """
    return try Scenario(json: Data(json.utf8), source: "small.json")
}

/// Encodes up to `limit` events of the unsharded stream (or until `end`) and returns the lines of
/// this shard, flushing the buffer every `flushEvery` events to show buffering does not matter.
func lines(_ config: DatasourceConfig, scenario: Scenario, limit: Int?, end: Int64? = nil, shard: ShardSpec = .whole, flushEvery: Int = 1) -> [String] {
    var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end, shard: shard)
    var encoder = NDJSONEncoder(capacity: 16)
    var output: [UInt8] = []
    var count = 0
    while limit.map({ stream.produced < $0 }) ?? true, stream.encodeNext(into: &encoder) != nil {
        count += 1
        if count % flushEvery == 0 {
            output.append(contentsOf: encoder.bytes)
            encoder.removeAllBytes()
        }
    }
    output.append(contentsOf: encoder.bytes)
    return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
}

@Suite struct StreamTests {
    @Test(arguments: [0, 1, 2])
    func sameSeedGivesIdenticalBytesWhateverTheBuffering(datasource: Int) throws {
        let scenario = try smallScenario()
        let config = scenario.datasources[datasource]
        let a = lines(config, scenario: scenario, limit: 3000, flushEvery: 1)
        let b = lines(config, scenario: scenario, limit: 3000, flushEvery: 997)
        #expect(a.count == 3000)
        #expect(a == b)
        var other = scenario
        other.seed = 100
        #expect(lines(config, scenario: other, limit: 3000) != a)
    }

    @Test(arguments: [1, 2, 3, 7])
    func shardsPartitionTheStreamByEntity(count: Int) throws {
        let scenario = try smallScenario()
        for config in scenario.datasources {
            let whole = lines(config, scenario: scenario, limit: 2500)
            let windowEnd = scenario.start + 12 * 3600  // the stores (US time) open at 13:00 UTC
            let wholeWindow = lines(config, scenario: scenario, limit: nil, end: windowEnd)
            var union: [String] = []
            var unionWindow: [String] = []
            for i in 0..<count {
                let shard = try #require(ShardSpec(parsing: "\(i)/\(count)"))
                union += lines(config, scenario: scenario, limit: 2500, shard: shard)
                unionWindow += lines(config, scenario: scenario, limit: nil, end: windowEnd, shard: shard)
            }
            #expect(union.sorted() == whole.sorted(), "\(config.name) n=\(count)")
            #expect(unionWindow.sorted() == wholeWindow.sorted(), "\(config.name) window n=\(count)")
            #expect(!wholeWindow.isEmpty)
        }
    }

    @Test func streamsAreInTimeOrderAndRespectTheWindow() throws {
        let scenario = try smallScenario()
        let end = scenario.start + 12 * 3600
        for config in scenario.datasources {
            var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end)
            var encoder = NDJSONEncoder()
            var previous = Int64.min
            var n = 0
            while let (time, _) = stream.encodeNext(into: &encoder) {
                #expect(time >= previous)
                #expect(time >= scenario.start && time < end)
                previous = time
                n += 1
            }
            #expect(n > 100, "\(config.name)")
        }
    }

    @Test(arguments: ["0/1", "3/7", "0/2"])
    func shardSpecParses(text: String) {
        #expect(ShardSpec(parsing: text)?.description == text)
    }

    @Test(arguments: ["1/1", "-1/2", "2", "a/b", "0/0", "1/2/3"])
    func shardSpecRejects(text: String) {
        #expect(ShardSpec(parsing: text) == nil)
    }

    @Test func eventCountsSplitByShare() throws {
        var scenario = try smallScenario()
        #expect(scenario.eventCounts(total: 3000) == [1000, 1000, 1000])
        #expect(scenario.eventCounts(total: 10) == [4, 3, 3])
        scenario.datasources[0].share = 2
        #expect(scenario.eventCounts(total: 7).reduce(0, +) == 7)
        #expect(scenario.eventCounts(total: 8) == [4, 2, 2])
    }
}
