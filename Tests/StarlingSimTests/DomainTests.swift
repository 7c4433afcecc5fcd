import Foundation
import StarlingDisk
import Testing
@testable import StarlingSim

func events<M: DomainModel>(_ model: M, seed: UInt64 = 5, start: Int64, count: Int) -> [M.Event] {
    var stream = EventStream(model: model, seed: seed, start: start)
    var result: [M.Event] = []
    while result.count < count, let event = stream.next() { result.append(event) }
    return result
}

let monday = CivilTime(year: 2025, month: 5, day: 12).epochSeconds

/// |measured − target| within `relative` of the target or 3 standard errors of a proportion of `n`.
func near(_ measured: Double, _ target: Double, n: Int, relative: Double = 0.1) -> Bool {
    abs(measured - target) <= max(relative * target, 3 * (target * (1 - target) / Double(max(n, 1))).squareRoot())
}

@Suite struct FootTrafficTests {
    let config = FootTrafficConfig()
    var visits: [StoreVisit] { events(FootTrafficModel(config: config, seed: 5), start: monday, count: 40_000) }

    @Test func noVisitWhileTheStoreIsClosed() {
        let model = FootTrafficModel(config: config, seed: 5)
        let sample = visits
        #expect(sample.count == 40_000)
        for visit in sample { #expect(model.isOpen(store: visit.store - 1, at: visit.time), "\(visit.storeID) at \(formatTimestamp(visit.time))") }
        // The week covers weekends: weekends have visits too, and local nights none.
        let offset = Int64(config.storeUTCOffset * 3600)
        #expect(sample.contains { CivilTime.weekday(epochSeconds: $0.time + offset) >= 5 })
        #expect(!sample.contains { CivilTime.secondOfDay(epochSeconds: $0.time + offset) < 8 * 3600 })
    }

    @Test func tagsAreConsistentWithVisitAndVisitor() {
        var loyalty: [Int: Bool] = [:]
        var firstSeen = Set<Int>()
        let offset = Int64(config.storeUTCOffset * 3600)
        for visit in visits {
            let weekend = CivilTime.weekday(epochSeconds: visit.time + offset) >= 5
            if visit.tags.contains(VisitTag.weekdayShopper) { #expect(!weekend) }
            if visit.tags.contains(VisitTag.weekendShopper) { #expect(weekend) }
            let loyal = visit.tags.contains(VisitTag.loyaltyMember)
            #expect(loyalty[visit.visitor, default: loyal] == loyal, "loyalty is stable per visitor")
            loyalty[visit.visitor] = loyal
            #expect(visit.tags.contains(VisitTag.firstVisit) == firstSeen.insert(visit.visitor).inserted)
        }
    }

    @Test func purchasesAndDwellFollowTheirTargets() {
        let sample = visits
        let buying = sample.filter { $0.tags.contains(VisitTag.purchasing) }.map(\.dwellSeconds).sorted()
        let browsing = sample.filter { !$0.tags.contains(VisitTag.purchasing) }.map(\.dwellSeconds).sorted()
        #expect(buying[buying.count / 2] > 2 * browsing[browsing.count / 2])
        let same = sample.filter { $0.entryPoint == $0.exitPoint }.count
        #expect(Double(same) / Double(sample.count) > 0.8)
        #expect(near(Double(buying.count) / Double(sample.count), config.purchaseRate, n: sample.count))
        let dwell = sample.map(\.dwellSeconds).sorted()
        #expect(near(Double(dwell[dwell.count / 2]) / 60, config.dwellMedianMinutes, n: 0))
    }

    /// People live in time: nobody is in two stores at once, nobody visits more than the daily cap,
    /// and no visitor makes a noticeable share of all visits.
    @Test func visitorsDoOneThingAtATime() {
        let sample = visits
        var byVisitor: [Int: [StoreVisit]] = [:]
        for visit in sample { byVisitor[visit.visitor, default: []].append(visit) }
        let offset = Int64(config.storeUTCOffset * 3600)
        for (_, list) in byVisitor {
            for (a, b) in zip(list, list.dropFirst()) { #expect(b.time >= a.time + Int64(a.dwellSeconds), "visitor_\(a.visitor)") }
            let perDay = Dictionary(grouping: list) { ($0.time + offset) / 86_400 }
            #expect(perDay.values.allSatisfy { $0.count <= config.maxVisitsPerDay })
        }
        let top = byVisitor.values.map(\.count).max() ?? 0
        #expect(Double(top) / Double(sample.count) < 0.001)
        #expect(Set(sample.map(\.store)).count == config.stores)
    }

    @Test func lunchAndAfterWorkPeaksInLocalTime() {
        var perHour = Array(repeating: 0, count: 24)
        let offset = Int64(config.storeUTCOffset * 3600)
        for visit in visits where CivilTime.weekday(epochSeconds: visit.time + offset) < 5 {
            perHour[CivilTime.secondOfDay(epochSeconds: visit.time + offset) / 3600] += 1
        }
        #expect(perHour[12] > perHour[10])
        #expect(perHour[18] > perHour[15])
    }
}

@Suite struct EcommerceTests {
    let config = EcommerceConfig()
    var sample: [CommerceEvent] { events(EcommerceModel(config: config, seed: 5), start: monday, count: 100_000) }

    @Test func purchasesOnlyOfProductsInTheSessionCartInOneSecond() {
        var carts: [Int: [Int: Int]] = [:]
        var orderTime: [Int: Int64] = [:]
        for event in sample {
            switch event.kind {
            case .view: #expect(event.quantity == 1)
            case .addToCart: carts[event.session, default: [:]][event.product, default: 0] += event.quantity
            case .removeFromCart:
                #expect(carts[event.session]?[event.product] == event.quantity)
                carts[event.session]?[event.product] = nil
            case .purchase:
                #expect(carts[event.session]?[event.product] == event.quantity, "bought what is in the cart")
                #expect(orderTime[event.session, default: event.time] == event.time, "an order's lines share its second")
                orderTime[event.session] = event.time
            }
        }
    }

    @Test func pricesCategoriesAndCountriesAreStable() {
        var price: [Int: Double] = [:]
        var category: [Int: String] = [:]
        var country: [Int: String] = [:]
        var sessionUser: [Int: Int] = [:]
        for event in sample {
            #expect(price[event.product, default: event.price] == event.price)
            #expect(category[event.product, default: event.category] == event.category)
            #expect(country[event.user, default: event.country] == event.country)
            #expect(sessionUser[event.session, default: event.user] == event.user)
            price[event.product] = event.price
            category[event.product] = event.category
            country[event.user] = event.country
            sessionUser[event.session] = event.user
            #expect(event.price > 0 && event.quantity >= 1)
            if event.kind == .addToCart { #expect(event.quantity <= config.quantityWeights.count) }
        }
    }

    /// The declared rates are what the sessions show (the model derives its probabilities from them).
    @Test func funnelFollowsTheDeclaredRates() {
        var sessions: [Int: Set<CommerceEvent.Kind>] = [:]
        var sizes: [Int: Int] = [:]
        for event in sample {
            sessions[event.session, default: []].insert(event.kind)
            sizes[event.session, default: 0] += 1
        }
        let n = sessions.count
        func share(_ kind: CommerceEvent.Kind) -> Double { Double(sessions.values.filter { $0.contains(kind) }.count) / Double(n) }
        #expect(near(share(.purchase), config.conversionRate, n: n), "conversion \(share(.purchase))")
        #expect(near(share(.addToCart), config.addToCartRate, n: n), "add to cart \(share(.addToCart))")
        let bounce = Double(sizes.values.filter { $0 == 1 }.count) / Double(n)
        #expect(near(bounce, config.bounceRate, n: n), "bounce \(bounce)")
        #expect(sessions.values.contains { $0.contains(.removeFromCart) })
    }

    /// Popularity has a long tail, and its rank does not follow the id.
    @Test func productPopularityIsSkewedIndependentlyOfTheId() {
        var perProduct: [Int: Int] = [:]
        for event in sample where event.kind == .view { perProduct[event.product, default: 0] += 1 }
        let ranked = perProduct.sorted { $0.value > $1.value }
        let total = Double(perProduct.values.reduce(0, +))
        #expect(ranked[0].value > 10 * ranked[ranked.count / 2].value)
        #expect(Double(ranked[0].value) / total < 0.1)
        #expect(ranked.prefix(5).map(\.key) != [1, 2, 3, 4, 5])
    }

    @Test func usersDoOneSessionAtATime() {
        var spans: [Int: (user: Int, first: Int64, last: Int64)] = [:]
        for event in sample {
            let span = spans[event.session] ?? (event.user, event.time, event.time)
            spans[event.session] = (span.user, min(span.first, event.time), max(span.last, event.time))
        }
        let byUser = Dictionary(grouping: spans.values, by: \.user)
        for (_, list) in byUser {
            let sorted = list.sorted { $0.first < $1.first }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(b.first > a.last) }
        }
    }
}

@Suite struct JourneyTests {
    let config = JourneyConfig()
    var sample: [Touchpoint] { events(JourneyModel(config: config, seed: 5), start: monday, count: 100_000) }

    @Test func conversionOnlyAtPurchaseWithAnAmount() {
        var conversions = 0
        for tp in sample {
            #expect((tp.conversion == 1) == (tp.kind == .purchase))
            #expect((tp.transactionAmount > 0) == (tp.kind == .purchase))
            if tp.conversion == 1 { conversions += 1 }
        }
        #expect(conversions > 0)
    }

    @Test func idsAreUniqueAndMetadataIsAJSONObject() throws {
        var ids = Set<String>()
        for tp in sample {
            #expect(ids.insert(tp.touchpointID).inserted)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(tp.metadata.text.utf8)) as? [String: String])
            #expect(object["product_id"]?.hasPrefix("prod_") == true)
            #expect(object["category"] != nil)
        }
    }

    /// A touchpoint holds its numbers and names in 32 bytes (`TouchpointRecord`): the bounds that
    /// makes are the configuration's, with an error naming the key.
    @Test(arguments: [
        (#""max_touchpoints": 4001"#, "max_touchpoints"),
        ("\"devices\": {\((0...255).map { "\"d\($0)\": 1" }.joined(separator: ","))}", "devices"),
        ("\"ad_channels\": {\((0...200).map { "\"a\($0)\": 1" }.joined(separator: ","))}", "ad_channels"),
    ])
    func boundsOfARecordAreTheConfigurations(setting: String, key: String) {
        let json = #"{"format": 1, "seed": 1, "start": "2025-05-12 00:00:00", "events": 10, "datasources": {"customer_touchpoints": {"# + setting + "}}}"
        #expect {
            _ = try Scenario(json: Data(json.utf8), source: "bounds.json")
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    @Test func channelsReferrersPagesAndCampaignsAgreeWithTheTouchpoint() {
        let campaigns = Dictionary(uniqueKeysWithValues: config.campaigns.map { ($0.name, $0) })
        let slugs = Dictionary(uniqueKeysWithValues: config.categories.map { ($0.name, $0.slug) })
        for tp in sample {
            // The record does not hold the page: it follows from the kind, campaign and product.
            let landing = JourneyModel.site + (tp.campaignID.isEmpty ? "/" : "/landing/\(tp.campaignID)")
            let category = tp.metadata.text.split(separator: "\"")[7]
            if [.adImpression, .adClick, .emailOpen, .emailClick].contains(tp.kind) { #expect(tp.pageURL == landing) }
            switch tp.kind {
            case .emailOpen, .emailClick: #expect(tp.channel == "email")
            case .search: #expect(tp.channel == "search" && tp.pageURL == "\(JourneyModel.site)/search?q=\(slugs[String(category)] ?? "?")")
            case .pageView: #expect(tp.pageURL == (tp.campaignID.isEmpty ? "\(JourneyModel.site)/category/\(slugs[String(category)] ?? "?")" : landing))
            case .supportChat: #expect(tp.pageURL == "\(JourneyModel.site)/support")
            case .socialEngagement: #expect(tp.channel == "social")
            case .productView: #expect(tp.pageURL.hasSuffix(tp.metadata.text.split(separator: "\"")[3]))
            case .purchase: #expect(tp.pageURL.hasSuffix("/checkout/complete"))
            default: break
            }
            if tp.channel == "mobile_app" { #expect(tp.referrer == "app" && tp.device != "desktop", "an app session is on a phone or tablet") }
            if let allowed = JourneyModel.referrers[tp.channel] { #expect(allowed.contains(tp.referrer), "\(tp.channel) from \(tp.referrer)") }
            if !tp.campaignID.isEmpty, let campaign = campaigns[tp.campaignID] {
                #expect(campaign.channels.contains(tp.channel) || [.pageView, .productView, .supportChat, .addToCart, .checkout, .purchase].contains(tp.kind),
                        "\(tp.campaignID) on \(tp.channel)")
                #expect(campaign.runs(at: tp.time), "\(tp.campaignID) out of season at \(formatTimestamp(tp.time))")
            }
        }
    }

    /// A session has one device and one referrer, and its on-site touchpoints share its acquisition
    /// channel (the analytics attribution the channel pipes rely on).
    @Test func aSessionHasOneDeviceReferrerAndAcquisitionChannel() {
        var sessions: [String: [Touchpoint]] = [:]
        for tp in sample { sessions[tp.sessionID, default: []].append(tp) }
        let onSite: Set<TouchpointKind> = [.pageView, .productView, .supportChat, .addToCart, .checkout, .purchase]
        for (id, touchpoints) in sessions {
            #expect(Set(touchpoints.map(\.device)).count == 1, "\(id)")
            #expect(Set(touchpoints.map(\.referrer)).count == 1, "\(id)")
            #expect(Set(touchpoints.filter { onSite.contains($0.kind) }.map(\.channel)).count <= 1, "\(id)")
        }
    }

    /// The funnel narrows at the declared rates: clicks per impression by channel, clicks per email
    /// opened, and impressions ≫ clicks ≫ visits ≫ carts ≫ purchases.
    @Test func funnelNarrowsAtTheDeclaredRates() {
        var counts: [String: Int] = [:]
        var customers: [TouchpointKind: Set<Int>] = [:]
        for tp in sample {
            counts["\(tp.kind.rawValue) \(tp.channel)", default: 0] += 1
            counts[tp.kind.rawValue, default: 0] += 1
            customers[tp.kind, default: []].insert(tp.customer)
        }
        for (channel, ctr) in config.clickThroughRates {
            let impressions = counts["ad_impression \(channel)", default: 0]
            let clicks = Double(counts["ad_click \(channel)", default: 0])
            #expect(near(clicks / Double(impressions), ctr, n: impressions, relative: 0.2), "\(channel): \(clicks) of \(impressions)")
        }
        let opens = counts["email_open", default: 0]
        #expect(near(Double(counts["email_click", default: 0]) / Double(opens), config.emailClickToOpen, n: opens))
        let visitors = customers[.pageView, default: []].union(customers[.productView, default: []]).count
        let steps = [customers[.adImpression]?.count ?? 0, customers[.adClick]?.count ?? 0]
        #expect(steps[0] > 10 * steps[1])
        let conversion = [visitors] + [TouchpointKind.addToCart, .checkout, .purchase].map { customers[$0]?.count ?? 0 }
        #expect(zip(conversion, conversion.dropFirst()).allSatisfy { $0 > $1 }, "\(conversion)")
    }

    /// A customer's journeys never overlap, and a touchpoint's time spent ends before their next one.
    @Test func customersLiveInTime() {
        var journeys: [Int: (customer: Int, first: Int64, last: Int64)] = [:]
        var byCustomer: [Int: [Touchpoint]] = [:]
        for tp in sample {
            let span = journeys[tp.journey] ?? (tp.customer, tp.time, tp.time)
            journeys[tp.journey] = (span.customer, min(span.first, tp.time), max(span.last, tp.time))
            byCustomer[tp.customer, default: []].append(tp)
        }
        for (_, list) in Dictionary(grouping: journeys.values, by: \.customer) {
            let sorted = list.sorted { $0.first < $1.first }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(b.first > a.last) }
        }
        for (_, list) in byCustomer {
            for (a, b) in zip(list, list.dropFirst()) { #expect(a.time + Int64(a.timeSpent) <= b.time, "\(a.touchpointID) then \(b.touchpointID)") }
        }
    }

    /// The channel analyses have something to analyse: in a day of the customer-journey scenario,
    /// every acquisition channel brings visits and the busy ones convert.
    @Test func everyAcquisitionChannelBringsVisitsWithinADay() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = try Scenario(json: Data(contentsOf: root.appendingPathComponent("scenarios/customer-journey.json")), source: "customer-journey.json")
        var stream = DatasourceStream(scenario.datasources[0], seed: scenario.seed, start: scenario.start, end: scenario.start + 86_400)
        var visits: [String: Int] = [:]
        var conversions: [String: Int] = [:]
        while let (event, _) = stream.nextEvent() {
            guard case .touchpoint(let tp) = event else { continue }
            #expect(!(tp.channel == "mobile_app" && tp.device == "desktop"), "no mobile_app touchpoint from a desktop")
            if tp.kind == .pageView { visits[tp.channel, default: 0] += 1 }
            if tp.conversion == 1 { conversions[tp.channel, default: 0] += 1 }
        }
        for channel in ["display", "social", "search", "email", "referral", "affiliate", "website", "mobile_app"] {
            #expect(visits[channel, default: 0] > 0, "\(channel): \(visits)")
            if visits[channel, default: 0] > 2_000 { #expect(conversions[channel, default: 0] > 0, "\(channel): \(conversions)") }
        }
    }

    @Test func journeysMoveForwardThroughStagesOverDays() {
        var journeys: [Int: [Touchpoint]] = [:]
        for tp in sample { journeys[tp.journey, default: []].append(tp) }
        var multiDay = 0
        for (_, steps) in journeys {
            #expect(steps.map(\.step) == Array(1...steps.count), "steps in order, none missing")
            #expect(Set(steps.map(\.customer)).count == 1)
            if let purchase = steps.firstIndex(where: { $0.kind == .purchase }) { #expect(purchase == steps.count - 1) }
            if steps.last!.time - steps.first!.time > 86_400 { multiDay += 1 }
        }
        #expect(multiDay > 0)
        let stages = Set(sample.map(\.kind.stage))
        #expect(stages == [.awareness, .consideration, .conversion])
    }
}
