import Foundation
import Testing
@testable import StarlingSim

/// One population and one catalogue across the three streams of a scenario.
@Suite struct OmnichannelTests {
    static func events(of scenario: Scenario, hours: Int64, shard: ShardSpec = .whole) -> [String: [GeneratedEvent]] {
        var result: [String: [GeneratedEvent]] = [:]
        for config in scenario.datasources {
            var stream = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: scenario.start + hours * 3600, shard: shard)
            while let (event, owned) = stream.nextEvent() {
                if owned { result[config.name, default: []].append(event) }
            }
        }
        return result
    }

    static var omnichannel: Scenario {
        get throws { try RealismTests.builtIn("omnichannel") }
    }

    /// A journey's purchase is the shop's purchase: same person, product and price, within a minute;
    /// and every product both streams sell has one category and one price.
    @Test func journeyPurchasesAreShopPurchasesOfOneCatalogue() throws {
        let all = Self.events(of: try Self.omnichannel, hours: 48)
        var shop: [String: [CommerceEvent]] = [:]  // "user product" → purchases
        var catalogue: [Int: (category: String, price: Double)] = [:]
        for case .commerce(let e) in all["ecommerce_events"] ?? [] {
            if e.kind == .purchase { shop["\(e.user) \(e.product)", default: []].append(e) }
            catalogue[e.product] = catalogue[e.product] ?? (e.category, e.price)
            #expect(catalogue[e.product]! == (e.category, e.price))
        }
        var purchases = 0, matched = 0, shared = 0
        for case .touchpoint(let tp) in all["customer_touchpoints"] ?? [] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(tp.metadata.text.utf8)) as? [String: String])
            let product = try #require(object["product_id"].flatMap { Int($0.dropFirst("prod_".count)) })
            if let sold = catalogue[product] {
                shared += 1
                #expect(sold.category == object["category"], "prod_\(product): \(sold.category) in the shop, \(object["category"] ?? "") in journeys")
                if tp.kind == .purchase { #expect(abs(tp.transactionAmount / sold.price - (tp.transactionAmount / sold.price).rounded()) < 1e-6, "an amount is price × quantity") }
            }
            guard tp.kind == .purchase else { continue }
            purchases += 1
            if shop["\(tp.customer) \(product)", default: []].contains(where: { abs($0.time - tp.time) <= 60 && abs(Double($0.quantity) * $0.price - tp.transactionAmount) < 0.005 }) {
                matched += 1
            }
        }
        #expect(purchases > 100 && shared > 1000)
        #expect(Double(matched) >= 0.5 * Double(purchases), "\(matched) of \(purchases) journey purchases are the shop's")
    }

    /// A stream linked to the journeys writes exactly its events' own encoding: the journeys'
    /// visits as `session_j<journey>_<k>`, the shop's own sessions as `session_<n>`.
    @Test func linkedRowsAreTheirEvents() throws {
        let scenario = try Self.omnichannel
        let config = try #require(scenario.datasources.first { $0.name == "ecommerce_events" })
        let end = scenario.start + 12 * 3600
        var rows = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end)
        var written = NDJSONEncoder()
        while rows.encodeNext(into: &written) != nil {}
        var events = DatasourceStream(config, seed: scenario.seed, start: scenario.start, end: end)
        var expected = NDJSONEncoder()
        var visits = 0, own = 0
        while let (event, owned) = events.nextEvent() {
            guard owned, case .commerce(let e) = event else { continue }
            e.encode(into: &expected, timestamp: nil)
            if e.sessionID.hasPrefix("session_j") { visits += 1 } else { own += 1 }
        }
        #expect(visits > 100 && own > 100, "\(visits) rows of journey visits, \(own) of the shop's own sessions")
        let (a, b) = (written.withBytes { Array($0) }, expected.withBytes { Array($0) })
        #expect(a.count == b.count && a == b, "the rows written differ from the events' encoding")
    }

    /// Person n has one country in every stream: the shop's country of user n is the journeys'
    /// country of customer n and, for store visitors, the stores' country.
    @Test func aPersonLivesInOneCountry() throws {
        let scenario = try Self.omnichannel
        guard case .journeys(let journeys) = scenario.datasources[2].model, case .ecommerce(let shop) = scenario.datasources[1].model,
              case .footTraffic(let stores) = scenario.datasources[0].model else { Issue.record("omnichannel's datasources"); return }
        let population = PersonDraws.populationSeed(scenarioSeed: scenario.seed)
        let model = JourneyModel(config: journeys, seed: 1, populationSeed: population)
        let all = Self.events(of: scenario, hours: 24)
        var checked = 0
        for case .commerce(let e) in all["ecommerce_events"] ?? [] where e.user <= model.countryOf.count {
            #expect(journeys.countries[Int(model.countryOf[e.user - 1])].0 == e.country, "user_\(e.user)")
            checked += 1
        }
        #expect(checked > 1000)
        let storeCountry = CumulativeChoice(weights: stores.countries.map(\.1))
        for case .visit(let v) in all["store_visits"] ?? [] {
            let draws = PersonDraws(person: v.visitor - 1, populationSeed: population)
            #expect(stores.countries[storeCountry.choose(draws.country)].0 == stores.country)
        }
        _ = shop
    }

    /// Sharding is by person across the three streams: the shards' union is the whole, exactly.
    @Test func shardsOfTheLinkedStreamsAreExact() throws {
        let scenario = try Self.omnichannel
        let whole = Self.events(of: scenario, hours: 6)
        var union: [String: [String]] = [:]
        for i in 0..<3 {
            for (name, events) in Self.events(of: scenario, hours: 6, shard: ShardSpec(parsing: "\(i)/3")!) {
                union[name, default: []] += events.map(\.ndjson)
            }
        }
        for (name, events) in whole {
            #expect(union[name, default: []].sorted() == events.map(\.ndjson).sorted(), "\(name)")
        }
    }
}

extension GeneratedEvent {
    var ndjson: String {
        var encoder = NDJSONEncoder()
        encode(into: &encoder, timestamp: nil)
        return String(decoding: encoder.bytes, as: UTF8.self)
    }
}
