import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

/// `starling profile`'s measurements on small hand-written rows (`ProfileTests+Rows.swift`): every
/// statistic and impossibility against the value computed here from the same rows.
@Suite struct ProfileTests {
    @Test func storeVisits() throws {
        #expect(CivilTime.weekday(epochSeconds: startMonday) == 0)
        let rows = VisitRow.rows
        let profile = try profiled("store_visits", ProfileTestRow.file(rows.map(\.row), .ndjson), .ndjson, visitTargets)
        let purchase = Double(rows.count(where: { $0.tags.contains("purchasing") })) / Double(rows.count)
        #expect(profile.value("purchase_rate") == purchase)
        let dwell = rows.map(\.dwell).sorted()
        #expect(profile.value("dwell_median_minutes") == Double(dwell[2] + dwell[3]) / 2 / 60)
        let firstWeek = rows.filter { $0.time < startMonday + 7 * day }
        #expect(profile.value("visits_per_visitor_per_week") == Double(firstWeek.count) / Double(Set(firstWeek.map(\.visitor)).count))
        let visitors = Set(rows.map(\.visitor)), loyal = Set(rows.filter { $0.tags.contains("loyalty member") }.map(\.visitor))
        #expect(profile.value("loyalty_member_share") == Double(loyal.count) / Double(visitors.count))
        let weekend = rows.count(where: { CivilTime.weekday(epochSeconds: $0.time - 5 * hour) >= 5 })
        #expect(weekend == 2, "visit_4 on Saturday, visit_5 on Sunday evening at the stores")
        #expect(profile.value("weekend_visit_share") == Double(weekend) / Double(rows.count))

        #expect(profile.impossibility("overlapping_visits")?.count == 1)
        #expect(profile.impossibility("overlapping_visits")?.examples == ["visitor_a: visit_2 starts 2025-05-12 10:05:00 before visit_1 ends 10:10:00"])
        #expect(profile.impossibility("visitors_over_daily_cap")?.count == 1)
        #expect(profile.impossibility("visitors_over_daily_cap")?.examples == ["visitor_a: 3 visits start on 2025-05-12 (stores' local time), more than 2"])
        #expect(profile.counts.map(\.value) == [6, 3])
        #expect(profile.first == "2025-05-12 10:00:00" && profile.last == "2025-05-19 02:00:00")

        #expect(profile.targets.map(\.verdict) == [.ok, .notMeasured])
        #expect(profile.targets[1].note == "unknown statistic 'no_such_statistic'")
        #expect(!profile.statistics.contains { $0.name == "purchase_rate" }, "a statistic with a target is listed once")
        #expect(!profile.passed)
    }

    @Test func ecommerceEvents() throws {
        let rows = EventRow.rows
        let profile = try profiled("ecommerce_events", ProfileTestRow.file(rows.map(\.row), .ndjson), .ndjson, eventTargets)
        let sessions = Dictionary(grouping: rows, by: \.session).values
        let n = Double(sessions.count)
        let purchased = sessions.count(where: { $0.contains { $0.type == "purchase" } }), carted = sessions.count(where: { $0.contains { $0.type == "add_to_cart" } })
        #expect(profile.value("conversion_rate") == Double(purchased) / n)
        #expect(profile.value("add_to_cart_rate") == Double(carted) / n)
        #expect(profile.value("cart_abandonment") == 1 - Double(purchased) / Double(carted))
        #expect(profile.value("bounce_rate") == Double(sessions.count(where: { $0.count == 1 })) / n)
        #expect(profile.value("views_per_session") == Double(rows.count(where: { $0.type == "view" })) / n)
        let offsets: [String: Int64] = ["US": -5 * hour, "DE": hour]
        let night = sessions.count(where: { events in
            let first = events.min { $0.time < $1.time }!
            return CivilTime.secondOfDay(epochSeconds: first.time + (offsets[first.country] ?? 0)) < 6 * Int(hour)
        })
        #expect(profile.value("night_share") == Double(night) / n)
        let perWeek = profile.statistics.first { $0.name == "sessions_per_user_per_week" }
        #expect(perWeek?.value == nil && perWeek?.note?.contains("spans 2 day(s)") == true)

        #expect(profile.impossibility("overlapping_sessions")?.examples == ["user_1: s2 starts 2025-05-12 10:01:30 before s1 ends 10:02:01"])
        #expect(profile.impossibility("users_over_daily_cap")?.examples == ["user_3: 3 sessions start on 2025-05-13 (local time), more than 2"])
        #expect(profile.impossibility("order_lines_apart")?.examples == ["s1 (user_1): purchases at 2025-05-12 10:02:00 and 10:02:01"])
        #expect(profile.impossibility("product_conflicts")?.examples == ["prod_a: price 10.0, then 9.99 (row 6)"])
        #expect(profile.notes.contains { $0.contains("no UTC offset declared for ZZ") })
        #expect(profile.targets.map(\.verdict) == [.out])
    }

    @Test func ecommerceProductWithTwoCategories() throws {
        var rows = EventRow.rows
        rows[9].category = "Games"
        let profile = try profiled("ecommerce_events", ProfileTestRow.file(rows.map(\.row), .ndjson), .ndjson, eventTargets)
        #expect(profile.impossibility("product_conflicts")?.count == 2)
        #expect(profile.impossibility("product_conflicts")?.examples.last == "prod_c: category Toys, then Games (row 10)")
    }

    @Test func customerTouchpoints() throws {
        let rows = TouchRow.rows
        let profile = try profiled("customer_touchpoints", ProfileTestRow.file(rows.map(\.row), .ndjson), .ndjson, touchTargets)
        #expect(profile.value("ctr_display") == 1)
        let social = profile.targets.first { $0.name == "ctr_social" }
        #expect(social?.verdict == .notMeasured && social?.note == "no ad_impression on social")
        #expect(profile.value("device_share_watch") == 0, "a device never seen has a share of 0")
        #expect(profile.value("email_click_to_open") == Double(rows.count(where: { $0.type == "email_click" })) / Double(rows.count(where: { $0.type == "email_open" })))
        let sessions = Dictionary(grouping: rows, by: \.session).values
        let devices = Dictionary(grouping: sessions) { $0.min { $0.time < $1.time }!.device }
        for (device, group) in devices {
            #expect(profile.value("device_share_\(device)") == Double(group.count) / Double(sessions.count))
        }
        func conversion(_ device: String?) -> Double {
            let onSite = sessions.filter { s in s.contains { $0.type == "page_view" || $0.type == "product_view" } && (device == nil || s[0].device == device) }
            return Double(onSite.count(where: { $0.contains { $0.type == "purchase" } })) / Double(onSite.count)
        }
        #expect(profile.value("session_conversion_rate") == conversion(nil))
        #expect(profile.value("desktop_mobile_conversion_ratio") == conversion("desktop") / conversion("mobile"))

        #expect(profile.impossibility("overlapping_journeys")?.examples == ["cust_1: sess_2 starts 2025-05-12 09:00:50 before sess_1 ends 09:01:40"])
        #expect(profile.impossibility("customers_over_daily_cap")?.examples == ["cust_1: 2 journeys start on 2025-05-12 (UTC), more than 1"])
        #expect(profile.impossibility("campaign_off_channel")?.examples == ["row 4: campaign spring on channel email, declared for display"])
        #expect(profile.impossibility("campaign_out_of_season")?.examples == [
            "row 12: campaign xmas at 2025-05-12 12:00:00, its season 2025-12-01 00:00:00 … 2025-12-31 23:59:59",
        ])
        #expect(profile.impossibility("referrer_off_channel")?.examples == ["row 9: referrer facebook.com on channel search"])
        #expect(profile.impossibility("time_spent_overrun")?.count == Self.overruns(rows))
        #expect(profile.impossibility("time_spent_overrun")?.examples == [
            "cust_2: row 9 at 2025-05-12 11:00:15 spends 100 s, the next touchpoint (row 10) comes 30 s later",
        ])
        #expect(profile.impossibility("funnel_widening")?.count == Self.wideningSteps(rows))
        #expect(profile.impossibility("funnel_widening")?.count == 2)
    }

    /// Per customer in (time, file order), time spent longer than the gap to the next touchpoint.
    static func overruns(_ rows: [TouchRow]) -> Int {
        Dictionary(grouping: rows.enumerated(), by: \.element.customer).values.reduce(0) { total, touches in
            let ordered = touches.sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            return total + zip(ordered, ordered.dropFirst()).count(where: { Int64($0.timeSpent) > $1.time - $0.time })
        }
    }

    static func wideningSteps(_ rows: [TouchRow]) -> Int {
        func customers(_ types: String...) -> Int { Set(rows.filter { types.contains($0.type) }.map(\.customer)).count }
        let steps = [
            (customers("ad_impression"), customers("ad_click")), (customers("page_view", "product_view"), customers("add_to_cart")),
            (customers("add_to_cart"), customers("checkout")), (customers("checkout"), customers("purchase")),
        ]
        return steps.count(where: { $0.1 > $0.0 })
    }

    @Test func undeclaredCampaignsAndChannelsAreNotChecked() throws {
        let declared = DomainTargets(datasource: "customer_touchpoints", targets: [], maxPerDay: 9, referrers: ["search": ["google.com", "bing.com"]])
        let profile = try profiled("customer_touchpoints", ProfileTestRow.file(TouchRow.rows.map(\.row), .ndjson), .ndjson, declared)
        let offChannel = try #require(profile.impossibility("campaign_off_channel"))
        #expect(offChannel.count == 0 && offChannel.note == "not checked for campaigns with no declared channels: spring, xmas")
        #expect(profile.impossibility("campaign_out_of_season")?.count == 0)
        #expect(profile.impossibility("referrer_off_channel")?.count == 1)
        #expect(profile.impossibility("referrer_off_channel")?.note == "not checked on channels with no declared referrers: display, email, social")
    }

    /// The same rows as NDJSON and as CSV (quoted fields, arrays as ClickHouse literals), in one
    /// chunk or cut every 7 bytes, give the same profile.
    @Test(arguments: ["store_visits", "ecommerce_events", "customer_touchpoints"])
    func formatsAndChunksGiveTheSameProfile(datasource: String) throws {
        let (rows, declared): ([ProfileTestRow], DomainTargets) = switch datasource {
        case "store_visits": (VisitRow.rows.map(\.row), visitTargets)
        case "ecommerce_events": (EventRow.rows.map(\.row), eventTargets)
        default: (TouchRow.rows.map(\.row), touchTargets)
        }
        let ndjson = try profiled(datasource, ProfileTestRow.file(rows, .ndjson), .ndjson, declared)
        let csv = try profiled(datasource, ProfileTestRow.file(rows, .csv), .csv, declared)
        let cut = try profiled(datasource, ProfileTestRow.file(rows, .csv), .csv, declared, chunk: 7)
        #expect(ndjson.rows == rows.count)
        #expect(csv == ndjson)
        #expect(cut == ndjson)
        #expect(try profiled(datasource, Array(ProfileTestRow.file(rows, .ndjson).dropLast()), .ndjson, declared, chunk: 7) == ndjson,
                "the last line needs no newline")
    }

    @Test func csvArraysAndQuotesAreRead() throws {
        var encoder = CSVEncoder()
        VisitRow(id: "v", visitor: "x", time: startMonday, dwell: 1, tags: ["loyalty member", "a,'b'\"c\\"]).row.encode(into: &encoder, timestamp: nil)
        let text = String(decoding: encoder.bytes, as: UTF8.self)
        #expect(text.hasSuffix(#","['loyalty member','a,\'b\'""c\\']""# + "\n"), "the CSV the encoder writes: \(text)")
        let profile = try profiled("store_visits", ProfileTestRow.file([VisitRow.rows[0].row], .csv) + encoder.bytes, .csv, visitTargets)
        #expect(profile.value("loyalty_member_share") == 0.5)
    }

    /// Sessions are generated by Starling's own stream: its NDJSON and its CSV profile alike, and
    /// the scenario path (in memory) gives the same profile as its bytes.
    @Test(.timeLimit(.minutes(1))) func generatedStreamProfilesAlikeInBothFormats() throws {
        let json = #"""
        {"format": 1, "name": "defaults", "seed": 5, "start": "2025-05-12 00:00:00", "events": 1000,
         "datasources": {"store_visits": {}, "ecommerce_events": {}, "customer_touchpoints": {}}}
        """#
        let scenario = try Scenario(json: Data(json.utf8), source: "defaults.json")
        let end = scenario.start + 6 * hour
        let report = try ScenarioProfiler.profile(scenario, seconds: 6 * 3600, chunkBytes: 4096)
        #expect(report.datasources.map(\.datasource) == ["store_visits", "ecommerce_events", "customer_touchpoints"])
        for (config, generated) in zip(scenario.datasources, report.datasources) {
            var ndjson = NDJSONEncoder(), csv = CSVEncoder()
            csv.append(raw: (config.columns.joined(separator: ",") + "\n").utf8)
            var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end)
            var copy = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end)
            while stream.encodeNext(into: &ndjson) != nil {}
            while copy.encodeNext(into: &csv) != nil {}
            let declared = try #require(config.declaredTargets)
            var fromNDJSON = try profiled(config.name, ndjson.bytes, .ndjson, declared)
            var fromCSV = try profiled(config.name, csv.bytes, .csv, declared)
            (fromNDJSON.source, fromCSV.source) = (generated.source, generated.source)
            #expect(generated.rows > 100)
            #expect(fromNDJSON == generated)
            #expect(fromCSV == generated)
        }
    }

    @Test(arguments: [
        // (proportion?, declared, tolerance, n, measured, within)
        (true, 0.1, 0.1, 100, 0.19, true),   // 3·√(0.1·0.9/100) = 0.09 > 10% of 0.1
        (true, 0.1, 0.1, 100, 0.191, false),
        (true, 0.5, 0.1, 1_000_000, 0.549, true),  // 10% of 0.5 = 0.05 > 3 standard errors (0.0015)
        (true, 0.5, 0.1, 1_000_000, 0.551, false),
        (false, 8.0, 0.1, 5, 8.79, true),   // a median: only the relative tolerance (±0.8)
        (false, 8.0, 0.1, 5, 7.19, false),
    ])
    func toleranceRule(proportion: Bool, declared: Double, tolerance: Double, n: Int, measured: Double, within: Bool) {
        let target = DomainTargets.Target("t", declared, tolerance: tolerance, meaning: "m")
        let statistic = Statistic("t", measured, n: n, kind: proportion ? .proportion : .value, meaning: "m")
        let check = TargetCheck(target, measured: statistic)
        #expect(check.verdict == (within ? .ok : .out))
        let sampling = proportion ? 3 * (declared * (1 - declared) / Double(n)).squareRoot() : 0
        #expect(check.allowed == max(tolerance * declared, sampling))
    }

    @Test(arguments: [
        (ProfileFormat.ndjson, "{\"event_time\":\"2025-05-12 00:00:00\",\"event_type\":\"view\",\"user_id\":\"u\",\"product_id\":\"p\",\"category\":\"c\",\"price\":1,\"session_id\":\"s\",\"country\":\"US\"}\n{\"event_type\":\"view\"}\n",
         "x line 2: no event_time"),
        (.ndjson, "{\"event_time\":\"2025-13-01 00:00:00\"}", "x line 1: event_time: expected a timestamp 'YYYY-MM-DD HH:MM:SS' (UTC), found \"2025-13-01 00:00:00\""),
        (.ndjson, "\n\nhello\n", "x line 3: not a JSON object: expected a JSON object at byte 1"),
        (.ndjson, "{\"event_time\":\"2025-05-12 00:00:00\",\"event_type\":\"view\",\"user_id\":\"u\",\"product_id\":\"p\",\"category\":\"c\",\"price\":\"cheap\",\"session_id\":\"s\",\"country\":\"US\"}",
         "x line 1: price: expected a number, found \"cheap\""),
        (.ndjson, "{\"event_time\":\"2025-05-12 00:00:00\" \"event_type\":1}", "x line 1: not a JSON object: expected ',' or '}' at byte 37"),
        (.csv, "event_time,event_type,user_id,product_id,category,session_id,country\n", "x line 1: the header has no price"),
        (.csv, "event_time,event_type,user_id,product_id,category,price,quantity,session_id,country\n2025-05-12 00:00:00,view,u\n",
         "x line 2: 3 fields, the header has 9"),
        (.csv, "event_time,event_type,user_id,product_id,category,price,quantity,session_id,country\n2025-05-12 00:00:00,view,u,p,\"c,1,1,s,US\n",
         "x line 2: a quoted field is not closed (it starts at byte 30)"),
    ])
    func badInputIsOneLineNamingTheLine(format: ProfileFormat, text: String, message: String) throws {
        var profiler = try #require(DatasourceProfiler(datasource: "ecommerce_events", format: format, source: "x", declared: eventTargets))
        do {
            try Array(text.utf8).withUnsafeBufferPointer { (bytes) throws(ProfileInputError) in try profiler.consume(bytes) }
            _ = try profiler.finish()
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: [
        ("2025-05-12 10:03:00", Int64(1_747_044_180_000)), ("2025-05-12T10:03:00.25Z", 1_747_044_180_250), ("2025-05-12 10:03:00.123456", 1_747_044_180_123),
    ])
    func timestampsToMilliseconds(text: String, milliseconds: Int64) {
        #expect(Array(text.utf8).withUnsafeBufferPointer { TimestampText.milliseconds($0) } == milliseconds)
    }

    @Test(arguments: [("sess_12_3", "sess_12"), ("sess_12", "sess"), ("journey", "journey"), ("sess_x", "sess_x"), ("_7", "_7"), ("a_b_", "a_b_")])
    func journeyOfSession(session: String, journey: String) {
        let found = Array(session.utf8).withUnsafeBufferPointer { String(decoding: TouchpointsAccumulator.journeyID(ofSession: $0), as: UTF8.self) }
        #expect(found == journey)
    }

    @Test func idsNeedNotBeNumericOrShort() {
        var interner = ByteInterner(capacity: 1)
        let names = (0..<5000).map { "id-\($0 * 7919 % 5003)-" + String(repeating: "x", count: $0 % 20) } + ["", "17", "ünï"]
        let ids = names.map { name in Array(name.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        #expect(ids == Array(0..<Int32(names.count)))
        #expect(names.map { name in Array(name.utf8).withUnsafeBufferPointer { interner.intern($0) } } == ids)
        #expect(ids.map { interner.name($0) } == names)
    }

    @Test func fixtureFilesAreSelectedByName() {
        let (files, skipped) = FixtureFiles.select(["store_visits.ndjson", "ecommerce_events.csv", "README.md", "users.ndjson", "old"], folders: ["old"])
        #expect(files.map(\.name) == ["ecommerce_events.csv", "store_visits.ndjson"])
        #expect(files.map(\.format) == [.csv, .ndjson])
        #expect(skipped.map(\.name) == ["README.md", "old/", "users.ndjson"])
    }

    @Test func reportPrintsEveryPartAndEncodesAsJSON() throws {
        let visits = try profiled("store_visits", ProfileTestRow.file(VisitRow.rows.map(\.row), .ndjson), .ndjson, visitTargets)
        let report = ProfileReport(source: "fixtures", datasources: [visits], notProfiled: [.init(name: "README.md", reason: "not a .ndjson or .csv file")])
        let text = report.text
        for part in ["purchase_rate", "not measured: unknown statistic 'no_such_statistic'", "dwell_median_minutes", "overlapping_visits",
                     "visitor_a: visit_2 starts", "README.md: not a .ndjson or .csv file", "verdict: failed"] {
            #expect(text.contains(part), "\(part)")
        }
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["passed"] as? Bool == false)
        #expect(ProfileText.integer(1_234_567) == "1,234,567" && ProfileText.fixed(-0.00004, decimals: 4) == "0.0000" && ProfileText.fixed(2.5, decimals: 1) == "2.5")
    }
}
