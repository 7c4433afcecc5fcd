/// `ecommerce_events`: conversion, add-to-cart, cart abandonment, bounce, views per session,
/// sessions per user per week, night share; overlapping sessions, users over the daily cap, orders
/// split over seconds, products with two categories or prices (see `DomainTargets`).
struct EcommerceAccumulator: RowAccumulator {
    static let datasource = "ecommerce_events"
    static let layout = RowLayout(["event_time", "event_type", "user_id", "product_id", "category", "price", "session_id", "country"])
    enum Column {
        static let time = 0, type = 1, user = 2, product = 3, category = 4, price = 5, session = 6, country = 7
    }

    /// A session: its span, and what its events did.
    struct Session {
        var start: Int64
        var end: Int64
        var firstPurchase = Int64.max
        var lastPurchase = Int64.min
        var user: Int32
        /// The country of its first event (its local time).
        var country: Int32
        var events: Int32 = 0
        var addedToCart = false
        var purchased = false
    }

    struct Product {
        var category: Int32
        var price: Double
        var conflicting = false
    }

    let declared: DomainTargets
    var users = ByteInterner()
    var sessionIDs = ByteInterner()
    var sessions: [Session] = []
    var productIDs = ByteInterner()
    var products: [Product] = []
    var categories = ByteInterner(capacity: 64)
    /// Each event type's kind (nil: not one the profile knows).
    var eventTypes = Vocabulary { CommerceEvent.Kind(rawValue: $0) }
    var unknownTypeRows = 0
    /// Each country's offset from UTC in seconds (nil: not declared, taken as UTC).
    var countries: Vocabulary<Int64?>
    var views = 0
    var productConflicts = Impossibility("product_conflicts", meaning: "products seen with two categories or two prices")
    var first = Int64.max
    var last = Int64.min

    init(declared: DomainTargets) {
        self.declared = declared
        let offsets = declared.utcOffsets
        countries = Vocabulary { offsets[$0].map { ProfileTime.seconds(hours: $0) } }
    }

    mutating func add(_ row: ProfileRow) throws(RowProblem) {
        let time = try row.milliseconds(Column.time)
        let kind = eventTypes.lookup(try row.text(Column.type)).property
        let user = users.intern(try row.text(Column.user))
        let country = countries.lookup(try row.text(Column.country)).id
        let price = try row.number(Column.price)
        let category = categories.intern(try row.text(Column.category))
        let product = productIDs.intern(try row.text(Column.product))
        let session = sessionIDs.intern(try row.text(Column.session))

        if Int(session) == sessions.count {
            sessions.append(Session(start: time, end: time, user: user, country: country))
        } else if time < sessions[Int(session)].start {
            sessions[Int(session)].start = time
            sessions[Int(session)].country = country
        }
        sessions[Int(session)].end = max(sessions[Int(session)].end, time)
        sessions[Int(session)].events += 1
        switch kind {
        case .view: views += 1
        case .addToCart: sessions[Int(session)].addedToCart = true
        case .purchase:
            sessions[Int(session)].purchased = true
            sessions[Int(session)].firstPurchase = min(sessions[Int(session)].firstPurchase, time)
            sessions[Int(session)].lastPurchase = max(sessions[Int(session)].lastPurchase, time)
        case .removeFromCart: break
        case nil: unknownTypeRows += 1
        }
        check(product: product, category: category, price: price, row: row.number)
        first = min(first, time)
        last = max(last, time)
    }

    /// A product keeps the category and price it was first seen with; another one is a conflict
    /// (a product is counted once, however many rows differ).
    mutating func check(product: Int32, category: Int32, price: Double, row: Int) {
        guard Int(product) < products.count else {
            products.append(Product(category: category, price: price))
            return
        }
        let known = products[Int(product)]
        guard !known.conflicting, known.category != category || known.price != price else { return }
        products[Int(product)].conflicting = true
        let what = known.category != category
            ? "category \(categories.name(known.category)), then \(categories.name(category))"
            : "price \(known.price), then \(price)"
        productConflicts.record("\(productIDs.name(product)): \(what) (row \(row))")
    }

    func finish() -> MeasuredRows {
        var apart = Impossibility("order_lines_apart", meaning: "sessions whose purchases are not all in the same second")
        var spans: [SessionSpan] = []
        spans.reserveCapacity(sessions.count)
        var purchased = 0, addedToCart = 0, bounced = 0, night = 0
        for (index, session) in sessions.enumerated() {
            spans.append(SessionSpan(start: session.start, end: session.end, person: session.user, label: Int32(index)))
            if session.purchased { purchased += 1 }
            if session.addedToCart { addedToCart += 1 }
            if session.events == 1 { bounced += 1 }
            let local = ProfileTime.split(session.start).seconds + (countries.properties[Int(session.country)] ?? 0)
            if CivilTime.secondOfDay(epochSeconds: local) < 6 * 3600 { night += 1 }
            if session.purchased, ProfileTime.split(session.firstPurchase).seconds != ProfileTime.split(session.lastPurchase).seconds {
                apart.record("\(sessionIDs.name(Int32(index))) (\(users.name(session.user))): purchases at \(ProfileTime.text(session.firstPurchase)) "
                    + "and \(ProfileTime.text(session.lastPurchase, after: session.firstPurchase))")
            }
        }
        let any = !sessions.isEmpty
        let (users, sessionIDs, countries, sessions) = (self.users, self.sessionIDs, self.countries, self.sessions)
        let perUser = PersonSessions(
            spans, persons: users.count, maxPerDay: declared.maxPerDay, first: any ? first : nil, last: any ? last : nil,
            naming: SessionNaming(
                noun: "session", dayKind: "local time", person: { users.name($0) }, label: { sessionIDs.name($0) },
                offsetSeconds: { countries.properties[Int(sessions[Int($0)].country)] ?? 0 },
                overlapName: "overlapping_sessions", capName: "users_over_daily_cap", weekName: "sessions_per_user_per_week",
                weekMeaning: "in each complete 7-day window from the first event's UTC midnight, sessions ÷ distinct users; the mean over the windows"))
        let count = sessions.count
        var measured = MeasuredRows(
            first: any ? first : nil, last: any ? last : nil,
            counts: [.init(name: "sessions", value: count), .init(name: "users", value: users.count), .init(name: "products", value: productIDs.count)],
            statistics: [
                .proportion("conversion_rate", purchased, of: count, meaning: "sessions with a purchase ÷ sessions", none: "no sessions"),
                .proportion("add_to_cart_rate", addedToCart, of: count, meaning: "sessions with an add_to_cart ÷ sessions", none: "no sessions"),
                Statistic("cart_abandonment", addedToCart > 0 ? 1 - Double(purchased) / Double(addedToCart) : nil, n: addedToCart, kind: .proportion,
                          meaning: "1 − sessions with a purchase ÷ sessions with an add_to_cart", note: addedToCart > 0 ? nil : "no session with an add_to_cart"),
                .proportion("bounce_rate", bounced, of: count, meaning: "sessions of exactly one event ÷ sessions", none: "no sessions"),
                Statistic("views_per_session", any ? Double(views) / Double(count) : nil, n: count, kind: .value,
                          meaning: "view events ÷ sessions", note: any ? nil : "no sessions"),
                perUser.perWeek,
                .proportion("night_share", night, of: count, meaning: "sessions starting 00:00–06:00 local time (country's offset) ÷ sessions", none: "no sessions"),
            ],
            impossibilities: [perUser.overlaps, perUser.overCap, apart, productConflicts])
        let undeclared = self.countries.names { $0 == nil }
        if !undeclared.isEmpty {
            measured.notes.append("no UTC offset declared for \(undeclared.listed()): their local time is taken as UTC (night_share, users_over_daily_cap)")
        }
        if unknownTypeRows > 0 {
            let unknown = eventTypes.names { $0 == nil }
            measured.notes.append("\(unknownTypeRows) rows with an event_type other than view, add_to_cart, remove_from_cart, purchase: \(unknown.listed())")
        }
        return measured
    }
}
