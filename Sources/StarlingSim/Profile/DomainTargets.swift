/// What a domain declares about the data it generates, for `starling profile` to check: the
/// behavioural targets an analyst would measure (each with its value and how close a measurement
/// must come) and the rules no person may break (one visit or session at a time, a cap per day,
/// campaigns on their channels and in their season, referrers that match their channel).
///
/// A domain's configuration builds its `DomainTargets` from the same fields its model's parameters
/// are derived from, so that what is declared is what the generator aims at.
public struct DomainTargets: Sendable {
    /// A target: a statistic's name (see the list per datasource below), its declared value, the
    /// relative tolerance, and what it means in words (printed by `profile`).
    ///
    /// A measurement is within tolerance when |measured − value| ≤ max(tolerance × value,
    /// 3 standard errors of the measurement when it is a proportion of n trials: 3·√(p(1−p)/n)).
    public struct Target: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var tolerance: Double
        public var meaning: String

        public init(_ name: String, _ value: Double, tolerance: Double = 0.1, meaning: String) {
            self.name = name
            self.value = value
            self.tolerance = tolerance
            self.meaning = meaning
        }
    }

    /// The datasource these are about (`store_visits`, `ecommerce_events`, `customer_touchpoints`).
    public var datasource: String
    public var targets: [Target]
    /// At most this many visits (store_visits), sessions (ecommerce_events) or journeys
    /// (customer_touchpoints) start per person per local day.
    public var maxPerDay: Int
    /// Hours from UTC of local time, per country (`ecommerce_events.country`); for store_visits,
    /// the stores' offset is `storeUTCOffset`.
    public var utcOffsets: [String: Double]
    public var storeUTCOffset: Double
    /// customer_touchpoints: the channels each campaign may appear on, and the Unix seconds
    /// `[first, last]` (inclusive) it runs; a campaign with no season runs always.
    public var campaignChannels: [String: [String]]
    public var campaignSeasons: [String: ClosedRange<Int64>]
    /// customer_touchpoints: the referrers each channel may carry.
    public var referrers: [String: [String]]

    public init(datasource: String, targets: [Target], maxPerDay: Int, utcOffsets: [String: Double] = [:], storeUTCOffset: Double = 0,
                campaignChannels: [String: [String]] = [:], campaignSeasons: [String: ClosedRange<Int64>] = [:], referrers: [String: [String]] = [:]) {
        self.datasource = datasource
        self.targets = targets
        self.maxPerDay = maxPerDay
        self.utcOffsets = utcOffsets
        self.storeUTCOffset = storeUTCOffset
        self.campaignChannels = campaignChannels
        self.campaignSeasons = campaignSeasons
        self.referrers = referrers
    }
}

// The statistics, by name (a target names one of these):
//
// store_visits
// - purchase_rate: visits tagged "purchasing" ÷ visits
// - dwell_median_minutes: median dwell_time_seconds ÷ 60
// - visits_per_visitor_per_week: in each complete 7-day window from the first event's UTC midnight,
//   visits ÷ distinct visitors; the mean over the windows (not measured with less than 7 days)
// - loyalty_member_share: distinct visitors with a "loyalty member" visit ÷ distinct visitors
// - weekend_visit_share: visits on Saturday or Sunday (stores' local time) ÷ visits
// impossibilities: overlapping_visits (a visit starting before the same visitor's previous visit
// ended: timestamp + dwell_time_seconds), visitors_over_daily_cap (visitor-days, stores' local
// time, with more than maxPerDay visits)
//
// ecommerce_events (a session is its session_id; its start is its first event)
// - conversion_rate: sessions with a purchase ÷ sessions
// - add_to_cart_rate: sessions with an add_to_cart ÷ sessions
// - cart_abandonment: 1 − sessions with a purchase ÷ sessions with an add_to_cart
// - bounce_rate: sessions of exactly one event ÷ sessions
// - views_per_session: view events ÷ sessions
// - sessions_per_user_per_week: as visits_per_visitor_per_week, for sessions and users
// - night_share: sessions starting 00:00–06:00 local time (country's offset) ÷ sessions
// impossibilities: overlapping_sessions (a session of a user starting before the end (last event)
// of the same user's previous session), users_over_daily_cap (user-days, local time, with more than
// maxPerDay sessions), order_lines_apart (purchases of one session not all in the same second),
// product_conflicts (a product seen with two categories or two prices)
//
// customer_touchpoints (a session is its session_id; a journey is the session_id's `sess_<J>_`
// part; a journey's span is its first to its last touchpoint)
// - ctr_<channel> (e.g. ctr_display, ctr_search, ctr_social): ad_click ÷ ad_impression on the channel
// - email_click_to_open: email_click ÷ email_open
// - device_share_<device> (desktop, mobile, tablet): sessions on the device ÷ sessions
// - session_conversion_rate: on-site sessions (with a page_view or product_view) with a purchase ÷
//   on-site sessions
// - desktop_mobile_conversion_ratio: session_conversion_rate on desktop ÷ on mobile
// impossibilities: overlapping_journeys (a customer's journey starting before the end of the same
// customer's previous journey), customers_over_daily_cap (customer-days, UTC, with more than
// maxPerDay journeys starting), campaign_off_channel (a touchpoint with a campaign on a channel
// not in campaignChannels), campaign_out_of_season, referrer_off_channel (a referrer not in
// referrers[channel]; channels absent from the table are not checked), time_spent_overrun
// (time_spent longer than the gap to the same customer's next touchpoint), funnel_widening (of the
// customer counts ad_impression ≥ ad_click, and (page_view or product_view) ≥ add_to_cart ≥
// checkout ≥ purchase: how many of these four steps widen)

extension DatasourceConfig {
    /// What this datasource's domain declares (nil for a datasource described by a schema).
    public var declaredTargets: DomainTargets? {
        switch model {
        case .footTraffic(let c): return c.declaredTargets
        case .ecommerce(let c): return c.declaredTargets
        case .journeys(let c): return c.declaredTargets
        case .spec: return nil
        }
    }
}
