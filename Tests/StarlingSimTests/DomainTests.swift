import Foundation
import Testing
@testable import StarlingSim

func events<M: DomainModel>(_ model: M, seed: UInt64 = 5, start: Int64, count: Int) -> [M.Event] {
    var stream = EventStream(model: model, seed: seed, start: start)
    var result: [M.Event] = []
    while result.count < count, let event = stream.next() { result.append(event) }
    return result
}

let monday = CivilTime(year: 2025, month: 5, day: 12).epochSeconds

@Suite struct FootTrafficTests {
    let config = FootTrafficConfig()
    var visits: [StoreVisit] { events(FootTrafficModel(config: config, seed: 5), start: monday, count: 40_000) }

    @Test func noVisitWhileTheStoreIsClosed() {
        let model = FootTrafficModel(config: config, seed: 5)
        let sample = visits
        #expect(sample.count == 40_000)
        for visit in sample { #expect(model.stores[visit.store - 1].isOpen(at: visit.time), "\(visit.storeID) at \(formatTimestamp(visit.time))") }
        // The week covers weekends: weekends have visits too, and nights none.
        #expect(sample.contains { CivilTime.weekday(epochSeconds: $0.time) >= 5 })
        #expect(!sample.contains { CivilTime.secondOfDay(epochSeconds: $0.time) < 8 * 3600 })
    }

    @Test func tagsAreConsistentWithVisitAndVisitor() {
        var loyalty: [Int: Bool] = [:]
        var firstSeen = Set<Int>()
        for visit in visits {
            let weekend = CivilTime.weekday(epochSeconds: visit.time) >= 5
            if visit.tags.contains(VisitTag.weekdayShopper) { #expect(!weekend) }
            if visit.tags.contains(VisitTag.weekendShopper) { #expect(weekend) }
            let loyal = visit.tags.contains(VisitTag.loyaltyMember)
            #expect(loyalty[visit.visitor, default: loyal] == loyal, "loyalty is stable per visitor")
            loyalty[visit.visitor] = loyal
            #expect(visit.tags.contains(VisitTag.firstVisit) == firstSeen.insert(visit.visitor).inserted)
        }
    }

    @Test func purchasingVisitsLastLongerAndExitMostlyEqualsEntry() {
        let sample = visits
        let buying = sample.filter { $0.tags.contains(VisitTag.purchasing) }.map(\.dwellSeconds).sorted()
        let browsing = sample.filter { !$0.tags.contains(VisitTag.purchasing) }.map(\.dwellSeconds).sorted()
        #expect(buying[buying.count / 2] > 2 * browsing[browsing.count / 2])
        let same = sample.filter { $0.entryPoint == $0.exitPoint }.count
        #expect(Double(same) / Double(sample.count) > 0.8)
        #expect(Double(buying.count) / Double(sample.count) > 0.3 && Double(buying.count) / Double(sample.count) < 0.5)
    }

    @Test func returningVisitorsFollowAPowerLawAndStoresDiffer() {
        var perVisitor: [Int: Int] = [:]
        var perStore: [Int: Int] = [:]
        for visit in visits {
            perVisitor[visit.visitor, default: 0] += 1
            perStore[visit.store, default: 0] += 1
        }
        let counts = perVisitor.values.sorted(by: >)
        #expect(counts[0] > 20 * counts[counts.count / 2], "a few visitors return very often")
        #expect(perStore.count == config.stores)
        #expect((perStore.values.max() ?? 0) > 2 * (perStore.values.min() ?? 0))
    }

    @Test func lunchAndAfterWorkPeaks() {
        var perHour = Array(repeating: 0, count: 24)
        for visit in visits where CivilTime.weekday(epochSeconds: visit.time) < 5 {
            perHour[CivilTime.secondOfDay(epochSeconds: visit.time) / 3600] += 1
        }
        #expect(perHour[12] > perHour[10])
        #expect(perHour[18] > perHour[15])
    }
}

@Suite struct EcommerceTests {
    var sample: [CommerceEvent] { events(EcommerceModel(config: EcommerceConfig(), seed: 5), start: monday, count: 60_000) }

    @Test func purchasesOnlyOfProductsInTheSessionCart() {
        var carts: [Int: [Int: Int]] = [:]
        for event in sample {
            switch event.kind {
            case .view: #expect(event.quantity == 1)
            case .addToCart: carts[event.session, default: [:]][event.product, default: 0] += event.quantity
            case .removeFromCart:
                #expect(carts[event.session]?[event.product] == event.quantity)
                carts[event.session]?[event.product] = nil
            case .purchase:
                #expect(carts[event.session]?[event.product] == event.quantity, "bought what is in the cart")
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
            if event.kind == .addToCart { #expect(event.quantity <= EcommerceConfig().quantityWeights.count) }
        }
    }

    @Test func funnelRatiosAreRealistic() {
        var kinds: [CommerceEvent.Kind: Int] = [:]
        for event in sample { kinds[event.kind, default: 0] += 1 }
        let views = Double(kinds[.view] ?? 0)
        let adds = Double(kinds[.addToCart] ?? 0)
        let purchases = Double(kinds[.purchase] ?? 0)
        #expect(adds / views > 0.2 && adds / views < 0.35)
        #expect(purchases / adds > 0.3 && purchases / adds < 0.6)
        #expect((kinds[.removeFromCart] ?? 0) > 0)
    }

    @Test func productPopularityIsSkewed() {
        var perProduct: [Int: Int] = [:]
        for event in sample where event.kind == .view { perProduct[event.product, default: 0] += 1 }
        let counts = perProduct.values.sorted(by: >)
        #expect(counts[0] > 10 * counts[counts.count / 2])
    }
}

@Suite struct JourneyTests {
    var sample: [Touchpoint] { events(JourneyModel(config: JourneyConfig(), seed: 5), start: monday, count: 50_000) }

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

    /// The slots packed into constants (page and channel by kind) are the ones the funnel implies.
    @Test func pageAndChannelSlotsByKind() {
        let pages: [TouchpointKind: Int] = [
            .adImpression: 0, .socialEngagement: 0, .emailOpen: 0, .adClick: 0, .emailClick: 0, .search: 1,
            .pageView: 2, .productView: 3, .supportChat: 4, .addToCart: 5, .checkout: 6, .purchase: 7,
        ]
        let channels: [TouchpointKind: Int] = [
            .adImpression: 1, .adClick: 1, .emailOpen: 2, .emailClick: 2, .socialEngagement: 3, .search: 4,
            .pageView: 0, .productView: 0, .supportChat: 0, .addToCart: 0, .checkout: 0, .purchase: 0,
        ]
        for kind in TouchpointKind.allCases {
            #expect(kind.pageSlot == pages[kind], "\(kind)")
            #expect(kind.channelSlot == channels[kind], "\(kind)")
            #expect(kind.position == TouchpointKind.allCases.firstIndex(of: kind))
        }
    }

    @Test func channelsReferrersAndPagesAgreeWithTheTouchpoint() {
        for tp in sample {
            switch tp.kind {
            case .emailOpen, .emailClick: #expect(tp.channel == "email")
            case .search: #expect(tp.channel == "search" && tp.pageURL.contains("/search?q="))
            case .socialEngagement: #expect(tp.channel == "social")
            case .productView: #expect(tp.pageURL.hasSuffix(tp.metadata.text.split(separator: "\"")[3]))
            case .purchase: #expect(tp.pageURL.hasSuffix("/checkout/complete"))
            default: break
            }
            if tp.channel == "mobile_app" { #expect(tp.referrer == "app" && tp.device != "desktop", "an app session is on a phone or tablet") }
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

    /// The channel analyses have something to analyse: in one hour of the customer-journey
    /// scenario, every acquisition channel has conversions and revenue.
    @Test func everyAcquisitionChannelConvertsWithinAnHour() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = try Scenario(json: Data(contentsOf: root.appendingPathComponent("scenarios/customer-journey.json")), source: "customer-journey.json")
        var stream = DatasourceStream(scenario.datasources[0], seed: scenario.seed, start: scenario.start, end: scenario.start + 3600)
        var conversions: [String: Int] = [:]
        var revenue: [String: Double] = [:]
        var events = 0
        while let (event, _) = stream.nextEvent() {
            guard case .touchpoint(let tp) = event else { continue }
            events += 1
            #expect(!(tp.channel == "mobile_app" && tp.device == "desktop"), "no mobile_app touchpoint from a desktop")
            if tp.conversion == 1 {
                conversions[tp.channel, default: 0] += 1
                revenue[tp.channel, default: 0] += tp.transactionAmount
            }
        }
        #expect(events > 1000)
        for channel in ["display", "social", "search", "email", "referral", "affiliate", "website", "mobile_app"] {
            #expect(conversions[channel, default: 0] > 0 && revenue[channel, default: 0] > 0, "\(channel): \(conversions)")
        }
    }

    @Test func journeysMoveForwardThroughStagesOverDays() {
        var journeys: [Int: [Touchpoint]] = [:]
        for tp in sample { journeys[tp.journey, default: []].append(tp) }
        var multiDay = 0
        for (_, steps) in journeys {
            #expect(steps.map(\.step) == Array(1...steps.count), "steps in order, none missing")
            #expect(Set(steps.map(\.customer)).count == 1)
            #expect(Set(steps.map(\.campaignID)).count == 1)
            if let purchase = steps.firstIndex(where: { $0.kind == .purchase }) { #expect(purchase == steps.count - 1) }
            if steps.last!.time - steps.first!.time > 86_400 { multiDay += 1 }
        }
        #expect(multiDay > 0)
        let stages = Set(sample.map(\.kind.stage))
        #expect(stages == [.awareness, .consideration, .conversion])
    }
}
