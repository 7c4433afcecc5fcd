import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// The generator writes compact records (`EventRecord`) straight from the models' pre-encoded tables;
/// the load engine and the oracles get the public events. Both must give the same bytes.
@Suite struct RecordTests {
    /// A scenario whose categorical values need escaping or quoting, and whose ad channels are named
    /// like the origins the journey model treats specially (`direct`, `ad`).
    static func awkwardScenario() throws -> Scenario {
        let json = #"""
        {"format": 1, "seed": 3, "start": "2025-05-16 06:00:00", "events": 3000,
         "datasources": {
           "store_visits": {"stores": 3, "visitors": 100, "visits_per_hour": 2000,
                            "entry_points": ["main, \"front\"", "side\\door", "gate\n2", "plain"]},
           "ecommerce_events": {"users": 100, "products": 30, "sessions_per_hour": 3000,
                                "categories": {"Home, \"Kitchen\"": {"weight": 1}, "Toys": {"weight": 1}},
                                "countries": {"Côte d'Ivoire": 1, "A,B": 1, "Quote\"d": 1}},
           "customer_touchpoints": {"customers": 80, "journeys_per_hour": 1500, "products": 20,
                                    "ad_channels": {"dis\"play": 0.4, "direct": 0.2, "ad": 0.2, "search": 0.2},
                                    "devices": {"desk,top": 0.3, "desktop": 0.3, "mobile": 0.4},
                                    "campaigns": {"spring, \"launch\"": 0.5, "plain": 0.5},
                                    "categories": {"home & garden": 0.5, "a,b": 0.5}}
         }}
        """#
        return try Scenario(json: Data(json.utf8), source: "awkward.json")
    }

    /// Both formats, with and without a replacement timestamp: a stream writing its records and
    /// another one writing its public events give identical bytes.
    @Test(arguments: [0, 1, 2])
    func recordsWriteWhatEventsWrite(datasource: Int) throws {
        for scenario in [try smallScenario(), try Self.awkwardScenario()] {
            let config = scenario.datasources[datasource]
            for timestamp in [nil, Int64(1_800_000_123)] {
                var records = DatasourceStream(config, seed: scenario.seed, start: scenario.start)
                var events = records
                var (ndjson, csv) = (NDJSONEncoder(), CSVEncoder())
                var (eventNDJSON, eventCSV) = (NDJSONEncoder(), CSVEncoder())
                for _ in 0..<3000 {
                    var copy = records
                    let written = records.encodeNext(into: &ndjson, timestamp: timestamp)
                    #expect(copy.encodeNext(into: &csv, timestamp: timestamp)?.time == written?.time)
                    guard let written, let (event, _) = events.nextEvent() else {
                        Issue.record("the stream ended early")
                        return
                    }
                    #expect(event.time == written.time)
                    event.encode(into: &eventNDJSON, timestamp: timestamp)
                    switch event {
                    case .visit(let e): e.encode(into: &eventCSV, timestamp: timestamp)
                    case .commerce(let e): e.encode(into: &eventCSV, timestamp: timestamp)
                    case .touchpoint(let e): e.encode(into: &eventCSV, timestamp: timestamp)
                    case .row(let e): e.encode(into: &eventCSV, timestamp: timestamp)
                    }
                }
                #expect(String(decoding: ndjson.bytes, as: UTF8.self) == String(decoding: eventNDJSON.bytes, as: UTF8.self))
                #expect(String(decoding: csv.bytes, as: UTF8.self) == String(decoding: eventCSV.bytes, as: UTF8.self))
            }
        }
    }

    /// A pre-encoded field writes what the plain value writes, in the first position too.
    @Test(arguments: EncoderTests.awkward)
    func fieldValuesWriteWhatStringsWrite(text: String) {
        let values = FieldValues(key: "v", values: ["x", text])
        let arrays = FieldValues(key: "v", arrays: [[text, "y"], []])
        for first in [true, false] {
            var plain = NDJSONEncoder(), fields = NDJSONEncoder()
            var plainCSV = CSVEncoder(), fieldsCSV = CSVEncoder()
            for _ in 0..<2 {
                plain.beginRow(); fields.beginRow(); plainCSV.beginRow(); fieldsCSV.beginRow()
                if !first {
                    plain.integer("n", 1); fields.integer("n", 1); plainCSV.integer("n", 1); fieldsCSV.integer("n", 1)
                }
                plain.string("v", text); plain.stringArray("v", [text, "y"]); plain.stringArray("v", [])
                plainCSV.string("v", text); plainCSV.stringArray("v", [text, "y"]); plainCSV.stringArray("v", [])
                fields.field(values, 1); fields.field(arrays, 0); fields.field(arrays, 1)
                fieldsCSV.field(values, 1); fieldsCSV.field(arrays, 0); fieldsCSV.field(arrays, 1)
                plain.endRow(); fields.endRow(); plainCSV.endRow(); fieldsCSV.endRow()
            }
            #expect(fields.bytes == plain.bytes)
            #expect(fieldsCSV.bytes == plainCSV.bytes)
        }
        #expect(values.texts == ["x", text])
    }

    /// A column whose values' lengths differ widely (copies cover the longest, up to a limit, and
    /// longer values as many blocks as they need): every row is what the plain strings write, with
    /// encoders that start with no room, so that the room each copy reserves is exercised.
    @Test func fieldValuesOfEveryLength() {
        let texts = (0..<300).map { String(repeating: "abcdefghij", count: 30).prefix($0) }.map(String.init)
        let values = FieldValues(key: "value", values: texts)
        var rng = Xoshiro256(seed: 5)
        var plain = NDJSONEncoder(capacity: 1), fields = NDJSONEncoder(capacity: 1)
        var plainCSV = CSVEncoder(capacity: 1), fieldsCSV = CSVEncoder(capacity: 1)
        for _ in 0..<2_000 {
            let (a, b) = (rng.below(texts.count), rng.below(texts.count))
            plain.beginRow(); fields.beginRow(); plainCSV.beginRow(); fieldsCSV.beginRow()
            plain.string("value", texts[a]); plain.string("value", texts[b])
            plainCSV.string("value", texts[a]); plainCSV.string("value", texts[b])
            fields.field(values, a); fields.field(values, b)
            fieldsCSV.field(values, a); fieldsCSV.field(values, b)
            plain.endRow(); fields.endRow(); plainCSV.endRow(); fieldsCSV.endRow()
        }
        #expect(fields.bytes == plain.bytes)
        #expect(fieldsCSV.bytes == plainCSV.bytes)
    }

    /// The timestamp cache (whole text per day, `HH:MM:SS` per second) writes what formatting each
    /// second afresh writes, over a walk through seconds, days, years and times before 1970.
    @Test func cachedTimestampsMatchFreshOnes() {
        var rng = Xoshiro256(seed: 8)
        var row = RowScratch(capacity: 1)
        var t: Int64 = -200_000
        for _ in 0..<50_000 {
            switch rng.below(4) {
            case 0: break
            case 1: t += Int64(rng.below(5))
            case 2: t += Int64(rng.below(200_000)) - 50_000
            default: t = Int64(rng.below(4_000_000_000)) - 1_000_000_000
            }
            row.count = 0
            row.putTimestamp(t)
            var fresh = RowScratch(capacity: 32)
            fresh.putTimestamp(t)
            #expect(String(decoding: UnsafeBufferPointer(start: row.base, count: row.count), as: UTF8.self)
                == String(decoding: UnsafeBufferPointer(start: fresh.base, count: fresh.count), as: UTF8.self), "\(t)")
        }
    }
}

/// A record for the open sessions (the timing wheel) alone.
struct TimedRecord: EventRecord {
    var time: Int64
    var session: Int
    var position: Int
}

@Suite struct OpenSessionsTests {
    /// Popped in (time, session, position) order whatever the sessions' lengths and gaps — within a
    /// second, a page, a week, the ring of weeks or past it (the overflow) — and however adds and
    /// pops interleave; sessions start close together or hours apart (the wheel jumps).
    @Test(arguments: [50, 5_000, 500_000, 100_000_000])
    func popsInTimeThenSessionOrder(largestGap: Int) {
        checkOrder(seed: 12, sessions: 3000, largestGap: largestGap) { rng in rng.below(8) == 0 ? rng.below(4000) : rng.below(3) }
    }

    /// Many sessions in the same seconds: a second's list spans many chunks, filled and emptied.
    @Test func crowdedSecondsSpanChunks() {
        checkOrder(seed: 13, sessions: 2000, largestGap: 3) { rng in rng.below(50) == 0 ? 1 : 0 }
    }

    /// Adds `sessions` sessions (starts `startStep` apart, 1 to 40 events, gaps up to `largestGap`
    /// now and then), popping at random what no later session can precede, and compares every pop
    /// and every earliest time with a sorted reference.
    func checkOrder(seed: UInt64, sessions: Int, largestGap: Int, startStep: (inout Xoshiro256) -> Int) {
        var rng = Xoshiro256(seed: seed)
        let start: Int64 = 1_700_000_123
        var wheel = OpenSessions<TimedRecord>(start: start)
        // The reference: what waits, kept sorted by (time, session, position).
        var waiting: [TimedRecord] = []
        let precedes = { (a: TimedRecord, b: TimedRecord) in (a.time, a.session, a.position) < (b.time, b.session, b.position) }
        func popAndCompare() {
            let (record, owner) = wheel.pop()
            let first = waiting.removeFirst()
            #expect([record.time, Int64(record.session), Int64(record.position)] == [first.time, Int64(first.session), Int64(first.position)])
            #expect(owner == record.session % 3)
            #expect(wheel.peekTime == waiting.first?.time)
        }
        var now = start
        for session in 0..<sessions {
            now += Int64(startStep(&rng))
            var time = now
            let records = (0..<(rng.below(8) == 0 ? 1 + rng.below(40) : 1 + rng.below(5))).map { position in
                if position > 0 { time += Int64(rng.below(4) == 0 ? rng.below(largestGap) : rng.below(50)) }
                return TimedRecord(time: time, session: session, position: position)
            }
            wheel.add(events: records[...], owner: session % 3)
            for record in records {
                var low = 0, high = waiting.count
                while low < high {
                    let mid = (low + high) / 2
                    if precedes(waiting[mid], record) { low = mid + 1 } else { high = mid }
                }
                waiting.insert(record, at: low)
            }
            #expect(wheel.peekTime == waiting.first?.time)
            // Pop what can no longer be preceded by a later session (which starts at `now` or later).
            while let top = wheel.peekTime, top < now, rng.below(4) != 0 { popAndCompare() }
        }
        while !wheel.isEmpty { popAndCompare() }
        #expect(waiting.isEmpty)
    }

    /// A copy is a value: popping and adding on one leaves the other's events as they were.
    @Test func copiesAreIndependent() {
        var wheel = OpenSessions<TimedRecord>(start: 0)
        for session in 0..<200 {
            let records = (0..<3).map { TimedRecord(time: Int64(session * 7 + $0 * 90_000), session: session, position: $0) }
            wheel.add(events: records[...], owner: 0)
        }
        for _ in 0..<100 { _ = wheel.pop() }
        var copy = wheel
        var fromCopy: [Int64] = []
        while !copy.isEmpty { fromCopy.append(copy.pop().record.time) }
        copy.add(events: [TimedRecord(time: 5_000_000, session: 200, position: 0)][...], owner: 0)
        var fromOriginal: [Int64] = []
        while !wheel.isEmpty { fromOriginal.append(wheel.pop().record.time) }
        #expect(fromOriginal == fromCopy)
        #expect(fromOriginal.count == 500)
        #expect(copy.pop().record.time == 5_000_000)
    }
}
