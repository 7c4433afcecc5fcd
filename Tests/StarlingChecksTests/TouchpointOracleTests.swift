import StarlingChecks
import StarlingSim
import Testing

typealias F = Fixtures

@Suite struct TouchpointOracleTests {
    /// cust_1: impression (display, campaign c1) → click (c1) → purchase 10.50 on website;
    /// cust_2: impression (c1) → email_open (email, c2) at the same second; cust_3: purchase 4.25 (c2).
    let touches = [
        F.touch(1, .adImpression, at: 0, step: 1, channel: "display", device: "mobile", campaign: "c1", spent: 2),
        F.touch(2, .adImpression, at: 0, journey: 2, step: 1, channel: "display", campaign: "c1", spent: 3),
        F.touch(1, .adClick, at: 60, step: 2, channel: "display", device: "mobile", campaign: "c1", spent: 4),
        F.touch(2, .emailOpen, at: 0, journey: 2, step: 2, session: 2, channel: "email", campaign: "c2", spent: 20),
        F.touch(1, .purchase, at: 100, step: 3, session: 2, amount: 10.5, spent: 30),
        F.touch(3, .purchase, at: 200, journey: 3, channel: "email", campaign: "c2", amount: 4.25, spent: 31),
    ]

    @Test func channelPerformance() throws {
        let rows = try F.rows("channel_performance", touchpoints: touches)
        #expect(F.column(rows, "channel") == [.string("website"), .string("email"), .string("display")])
        let email = rows[1]
        #expect(email["touchpoints"] == .integer(2))
        #expect(email["unique_customers"] == .integer(2))
        #expect(email["converting_customers"] == .integer(1))
        #expect(email["customer_conversion_rate"] == .rounded2(50))
        #expect(email["avg_order_value"] == .rounded2OfFloatSum(4.25))
        #expect(email["avg_order_value"]?.roundsOnFloatNoise == false)
        #expect(email["avg_time_spent"] == .rounded2(25.5))
        #expect(rows[2]["avg_order_value"] == .rounded2OfFloatSum(0))
        #expect(rows[2]["sessions"] == .integer(2))
    }

    @Test func campaignPerformanceSkipsOrganicAndFilters() throws {
        let rows = try F.rows("campaign_performance", touchpoints: touches)
        #expect(F.column(rows, "campaign_id") == [.string("c2"), .string("c1")])
        let c1 = rows[1]
        #expect(c1["impressions"] == .integer(2))
        #expect(c1["clicks"] == .integer(1))
        #expect(c1["click_through_rate"] == .rounded2(50))
        #expect(c1["conversions"] == .integer(0))
        #expect(c1["channels"] == .integer(1))
        #expect(rows[0]["click_through_rate"] == .rounded2(0))
        #expect(rows[0]["revenue_per_customer"] == .rounded2OfFloatSum(2.125))
        #expect(rows[0]["revenue_per_customer"]?.roundsOnFloatNoise == true)  // 2.125 lies on a half cent
        #expect(try F.rows("campaign_performance", ["campaign_id": "c1"], touchpoints: touches).count == 1)
        #expect(try F.rows("campaign_performance", ["limit": "1"], touchpoints: touches).count == 1)
        #expect(try F.rows("campaign_performance", ["start_date": F.time(61)], touchpoints: touches).count == 1)
    }

    @Test func deviceChannelAnalysis() throws {
        let rows = try F.rows("device_channel_analysis", touchpoints: touches)
        #expect(rows.count == 4)
        // (desktop, email) 2, (mobile, display) 2, (desktop, display) 1, (desktop, website) 1.
        #expect(F.column(rows, "touchpoints") == [.integer(2), .integer(2), .integer(1), .integer(1)])
        #expect(rows[0]["device"] == .string("desktop") && rows[0]["channel"] == .string("email"))
        #expect(rows[0]["conversion_rate"] == .rounded2(50))
    }

    @Test func funnelDropoffAgainstPreviousShownStep() throws {
        let rows = try F.rows("touchpoint_funnel", touchpoints: touches)
        // ad_impression 1, email_open 3, ad_click 5, purchase 12 (TouchpointKind's funnel order).
        #expect(F.column(rows, "funnel_step") == [.integer(1), .integer(3), .integer(5), .integer(12)])
        #expect(F.column(rows, "customers") == [.integer(2), .integer(1), .integer(1), .integer(2)])
        #expect(F.column(rows, "dropoff_pct") == [.rounded2(0), .rounded2(50), .rounded2(0), .rounded2(-100)])
        let (two, one): (Double, Double) = (200.0 / 3, 100.0 / 3)
        let shares: [ExpectedValue?] = [.rounded2(two), .rounded2(one), .rounded2(one), .rounded2(two)]
        #expect(F.column(rows, "pct_of_customers") == shares)
        #expect(rows[3]["journey_stage"] == .string("conversion"))
        let email = try F.rows("touchpoint_funnel", ["channel": "email"], touchpoints: touches)
        #expect(F.column(email, "pct_of_customers") == [.rounded2(50), .rounded2(50)])
    }

    @Test func journeySummary() throws {
        let rows = try F.rows("customer_journey_summary", touchpoints: touches)
        #expect(F.column(rows, "customer_id") == [.string("cust_3"), .string("cust_1"), .string("cust_2")])
        let c1 = rows[1]
        #expect(c1["journey_duration_seconds"] == .integer(100))
        #expect(c1["sessions"] == .integer(2))
        #expect(c1["channels_used"] == .integer(2))
        #expect(c1["converted"] == .integer(1))
        #expect(c1["total_time_spent"] == .integer(36))
        #expect(rows[2]["converted"] == .integer(0))
        #expect(try F.rows("customer_journey_summary", ["customer_id": "cust_2"], touchpoints: touches).count == 1)
    }

    @Test func journeyDetailsOrdersTiesByTouchpointID() throws {
        let ties = [
            F.touch(5, .pageView, at: 10, journey: 7, step: 9),
            F.touch(5, .productView, at: 10, journey: 7, step: 10),
            F.touch(5, .search, at: 5, journey: 7, step: 8),
            F.touch(6, .search, at: 1, journey: 8, step: 1),
        ]
        let rows = try F.rows("customer_journey_details", ["customer_id": "cust_5"], touchpoints: ties)
        // tp_7_10 sorts before tp_7_9 (bytewise).
        #expect(F.column(rows, "touchpoint_id") == [.string("tp_7_8"), .string("tp_7_10"), .string("tp_7_9")])
        #expect(try F.rows("customer_journey_details", ["customer_id": "cust_5", "limit": "1"], touchpoints: ties).count == 1)
        #expect(throws: CheckError.missingParameter(pipe: "customer_journey_details", name: "customer_id")) {
            try F.rows("customer_journey_details")
        }
    }

    @Test func timeAnalysisTransitions() throws {
        let seq = [
            F.touch(1, .search, at: 0, step: 1),
            F.touch(1, .pageView, at: 30, step: 2),
            F.touch(1, .productView, at: 30, step: 10),
            F.touch(1, .search, at: 90, step: 3),
            F.touch(2, .search, at: 0, journey: 2, step: 1),
            F.touch(2, .productView, at: 10, journey: 2, step: 2),
            F.touch(3, .search, at: 0, journey: 3, step: 1, channel: "email"),
        ]
        let rows = try F.rows("touchpoint_time_analysis", touchpoints: seq)
        // cust_1 order: search(0), product_view(30, tp_1_10), page_view(30, tp_1_2), search(90).
        let pairs = rows.map { "\($0["from_touchpoint"]!.rendered)>\($0["to_touchpoint"]!.rendered)" }
        #expect(pairs == ["\"search\">\"product_view\"", "\"page_view\">\"search\"", "\"product_view\">\"page_view\""])
        #expect(rows[0]["transitions"] == .integer(2))
        #expect(rows[0]["avg_seconds_between"] == .rounded2(20))
        #expect(rows[0]["min_seconds_between"] == .integer(10))
        #expect(rows[0]["max_seconds_between"] == .integer(30))
        #expect(try F.rows("touchpoint_time_analysis", ["channel": "email"], touchpoints: seq).isEmpty)
    }

    @Test func outOfOrderEventsMakeThePathOraclesSayWhy() throws {
        var oracle = try PipeOracles.make(pipe: "journey_paths")
        oracle.consume(F.touch(1, .search, at: 10))
        #expect(oracle.unsupportedReason == nil)
        oracle.consume(F.touch(1, .purchase, at: 5, step: 2))
        #expect(oracle.unsupportedReason?.contains("non-decreasing time") == true)
    }

    @Test func journeyPathsEndAtEachConversion() throws {
        let seq = [
            F.touch(1, .adImpression, at: 0, step: 1),
            F.touch(1, .purchase, at: 50, step: 2, amount: 20),
            F.touch(1, .purchase, at: 60, step: 3, amount: 99),
            F.touch(2, .adImpression, at: 0, journey: 2, step: 1),
            F.touch(2, .purchase, at: 150, journey: 2, step: 2, amount: 30.01),
            F.touch(3, .search, at: 0, journey: 3, step: 1),
            F.touch(3, .checkout, at: 5, journey: 3, step: 2),
            F.touch(3, .purchase, at: 5, journey: 3, step: 10, amount: 1),
            F.touch(4, .search, at: 0, journey: 4, step: 1),
        ]
        let rows = try F.rows("journey_paths", touchpoints: seq)
        // Customer 1 converts twice: two journeys ("ad_impression > purchase", then "purchase").
        #expect(F.column(rows, "journey_path") == [.string("ad_impression > purchase"), .string("purchase"), .string("search > purchase")])
        #expect(rows[0]["journeys"] == .integer(2))
        #expect(rows[0]["avg_seconds_to_conversion"] == .rounded2(100))
        #expect(rows[0]["total_revenue"] == .rounded2(50.01))
        #expect(rows[1]["avg_seconds_to_conversion"] == .rounded2(0) && rows[1]["total_revenue"] == .rounded2(99))
        // tp_3_10 (purchase) sorts before tp_3_2 (checkout) at the same second; the checkout after
        // the conversion belongs to no journey yet.
        #expect(rows[2]["path_length"] == .integer(2))
        #expect(try F.rows("journey_paths", ["min_count": "2"], touchpoints: seq).count == 1)
        #expect(try F.rows("journey_paths", ["limit": "1"], touchpoints: seq).count == 1)
        let late = try F.rows("journey_paths", ["start_date": F.time(55)], touchpoints: seq)
        #expect(F.column(late, "journey_path") == [.string("purchase")])
        #expect(late.first?["journeys"] == .integer(2))
    }
}
