import StarlingSim

/// The filters the touchpoint pipes share: the inclusive time window and optional equalities.
struct TouchpointFilter: Sendable {
    var window = TimeWindow()
    var customerID: String?
    var channel: String?
    var campaignID: String?

    func admits(_ t: Touchpoint) -> Bool {
        guard window.contains(t.time) else { return false }
        if let customerID, t.customerID != customerID { return false }
        if let channel, t.channel != channel { return false }
        if let campaignID, t.campaignID != campaignID { return false }
        return true
    }
}

/// A session of `customer_touchpoints`: `sess_<journey>_<number>`.
struct SessionKey: Hashable, Sendable {
    var journey: Int
    var number: Int
}

/// The aggregates of a GROUP BY over touchpoints (count, uniqExact sets, sums, sumIf/countIf,
/// min/max time). Money is summed exactly in integer cents; the pipes' Float64 sums differ from it
/// only by rounding noise far below a cent.
struct TouchpointGroup: Sendable {
    var touchpoints: Int64 = 0
    var customers: Set<Int> = []
    var sessions: Set<SessionKey> = []
    var channels: Set<String> = []
    var conversions: Int64 = 0
    var convertingCustomers: Set<Int> = []
    var cents: Int64 = 0
    var convertingCents: Int64 = 0
    var timeSpent: Int64 = 0
    var impressions: Int64 = 0
    var clicks: Int64 = 0
    var first = Int64.max
    var last = Int64.min

    mutating func add(_ t: Touchpoint) {
        touchpoints += 1
        customers.insert(t.customer)
        sessions.insert(SessionKey(journey: t.journey, number: t.sessionNumber))
        channels.insert(t.channel)
        let amount = ClickHouseMath.cents(t.transactionAmount)
        cents += amount
        if t.conversion == 1 {
            conversions += 1
            convertingCustomers.insert(t.customer)
            convertingCents += amount
        }
        timeSpent += Int64(t.timeSpent)
        if t.kind == .adImpression { impressions += 1 }
        if t.kind == .adClick || t.kind == .emailClick { clicks += 1 }
        first = min(first, t.time)
        last = max(last, t.time)
    }

    var uniqueCustomers: Int64 { Int64(customers.count) }
    var revenue: Double { ClickHouseMath.amount(cents: cents) }

    /// `round(100 * uniqExactIf(customer_id, conversion = 1) / uniqExact(customer_id), 2)`.
    var customerConversionRate: ExpectedValue {
        .rounded2(ClickHouseMath.divide(100 * Int64(convertingCustomers.count), uniqueCustomers))
    }

    /// `round(avg(time_spent), 2)`.
    var averageTimeSpent: ExpectedValue {
        .rounded2(ClickHouseMath.divide(timeSpent, touchpoints))
    }
}
