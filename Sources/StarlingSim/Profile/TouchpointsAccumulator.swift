/// `customer_touchpoints`: CTR per channel, email click-to-open, device shares, session conversion
/// and its desktop ÷ mobile ratio; overlapping journeys, customers over the daily cap, campaigns off
/// their channels or season, referrers off their channel, time spent past the next touchpoint, and
/// a widening funnel (see `DomainTargets`). The statistics are in `+Finish`.
struct TouchpointsAccumulator: RowAccumulator {
    static let datasource = "customer_touchpoints"
    static let layout = RowLayout(["customer_id", "session_id", "timestamp", "touchpoint_type", "channel", "device", "campaign_id", "referrer", "time_spent"])
    enum Column {
        static let customer = 0, session = 1, time = 2, type = 3, channel = 4, device = 5, campaign = 6, referrer = 7, timeSpent = 8
    }

    struct Session {
        var first: Int64
        var journey: Int32
        /// The device of its first touchpoint.
        var device: Int32
        /// With a page_view or product_view.
        var onSite = false
        var purchased = false
    }

    struct Journey {
        var start: Int64
        var end: Int64
        var customer: Int32
    }

    /// A touchpoint as `time_spent_overrun` needs it (its row number is kept beside, in `rowNumbers`).
    struct Touch {
        var time: Int64
        var customer: Int32
        var timeSpent: Int32
    }

    /// What a campaign may do: its channels (nil: none declared, not checked) and its season
    /// (nil: runs always).
    struct Campaign {
        var channels: Set<String>?
        var season: ClosedRange<Int64>?
    }

    let declared: DomainTargets
    var customers = ByteInterner()
    /// Per customer, the touchpoint kinds seen (bit `position`).
    var kindsSeen: [UInt16] = []
    var sessionIDs = ByteInterner()
    var sessions: [Session] = []
    var journeyIDs = ByteInterner()
    var journeys: [Journey] = []
    var kinds = Vocabulary { TouchpointKind(rawValue: $0) }
    var unknownKindRows = 0
    /// Each channel's declared referrers (nil: none declared, not checked).
    var channels: Vocabulary<Set<String>?>
    var impressions: [Int] = []
    var clicks: [Int] = []
    var devices = ByteInterner(capacity: 16)
    var campaigns: Vocabulary<Campaign>
    var referrers = ByteInterner(capacity: 64)
    /// Whether a (campaign, channel) or (channel, referrer) pair is allowed, decided once per pair.
    var campaignOnChannel: [UInt64: Bool] = [:]
    var referrerOnChannel: [UInt64: Bool] = [:]
    var emailOpens = 0
    var emailClicks = 0
    var touches: [Touch] = []
    var rowNumbers: [UInt32] = []
    var offChannel = Impossibility("campaign_off_channel", meaning: "touchpoints with a campaign on a channel not declared for it")
    var outOfSeason = Impossibility("campaign_out_of_season", meaning: "touchpoints with a campaign outside its declared season")
    var referrerOff = Impossibility("referrer_off_channel", meaning: "touchpoints whose referrer is not one declared for their channel")
    var first = Int64.max
    var last = Int64.min

    init(declared: DomainTargets) {
        self.declared = declared
        let referrers = declared.referrers.mapValues { Set($0) }
        channels = Vocabulary { referrers[$0] }
        let (allowed, seasons) = (declared.campaignChannels, declared.campaignSeasons)
        campaigns = Vocabulary { Campaign(channels: allowed[$0].map { Set($0) }, season: seasons[$0]) }
    }

    mutating func add(_ row: ProfileRow) throws(RowProblem) {
        let time = try row.milliseconds(Column.time)
        let customer = customers.intern(try row.text(Column.customer))
        if Int(customer) == kindsSeen.count { kindsSeen.append(0) }
        let kind = kinds.lookup(try row.text(Column.type)).property
        let (channel, declaredReferrers) = channels.lookup(try row.text(Column.channel))
        if Int(channel) == impressions.count {
            impressions.append(0)
            clicks.append(0)
        }
        let device = devices.intern(try row.text(Column.device))
        let timeSpent = try row.integer(Column.timeSpent)
        let session = try openSession(row.text(Column.session), time: time, customer: customer, device: device)

        switch kind {
        case .adImpression?: impressions[Int(channel)] += 1
        case .adClick?: clicks[Int(channel)] += 1
        case .emailOpen?: emailOpens += 1
        case .emailClick?: emailClicks += 1
        case .pageView?, .productView?: sessions[Int(session)].onSite = true
        case .purchase?: sessions[Int(session)].purchased = true
        case nil: unknownKindRows += 1
        default: break
        }
        if let kind { kindsSeen[Int(customer)] |= 1 << UInt16(kind.position) }

        let campaign = try row.text(Column.campaign)
        if !campaign.isEmpty { check(campaign: campaign, channel: channel, time: time, row: row.number) }
        if let declaredReferrers { check(referrer: try row.text(Column.referrer), channel: channel, declared: declaredReferrers, row: row.number) }
        touches.append(Touch(time: time, customer: customer, timeSpent: Int32(clamping: timeSpent)))
        rowNumbers.append(UInt32(clamping: row.number))
        first = min(first, time)
        last = max(last, time)
    }

    /// The session's number; a new session opens (or extends) its journey.
    mutating func openSession(_ id: UnsafeBufferPointer<UInt8>, time: Int64, customer: Int32, device: Int32) -> Int32 {
        let session = sessionIDs.intern(id)
        if Int(session) == sessions.count {
            let journey = journeyIDs.intern(Self.journeyID(ofSession: id))
            if Int(journey) == journeys.count { journeys.append(Journey(start: time, end: time, customer: customer)) }
            sessions.append(Session(first: time, journey: journey, device: device))
        } else if time < sessions[Int(session)].first {
            sessions[Int(session)].first = time
            sessions[Int(session)].device = device
        }
        let journey = Int(sessions[Int(session)].journey)
        journeys[journey].start = min(journeys[journey].start, time)
        journeys[journey].end = max(journeys[journey].end, time)
        return session
    }

    /// `sess_<J>` of `sess_<J>_<k>`: the id up to its last `_` when digits follow it; else the id.
    static func journeyID(ofSession id: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let underscore = id.lastIndex(of: UInt8(ascii: "_")), underscore > 0, underscore + 1 < id.count,
              id[(underscore + 1)...].allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return id }
        return UnsafeBufferPointer(rebasing: id[..<underscore])
    }

    mutating func check(campaign text: UnsafeBufferPointer<UInt8>, channel: Int32, time: Int64, row: Int) {
        let (campaign, rules) = campaigns.lookup(text)
        if let allowed = rules.channels {
            let channelName = { [channels] in channels.name(channel) }
            if !Self.decide(campaign, channel, in: &campaignOnChannel, { allowed.contains(channelName()) }) {
                offChannel.record("row \(row): campaign \(campaigns.name(campaign)) on channel \(channels.name(channel)), declared for \(allowed.sorted().joined(separator: ", "))")
            }
        }
        if let season = rules.season, !season.contains(ProfileTime.split(time).seconds) {
            outOfSeason.record("row \(row): campaign \(campaigns.name(campaign)) at \(ProfileTime.text(time)), its season \(formatTimestamp(season.lowerBound)) … \(formatTimestamp(season.upperBound))")
        }
    }

    mutating func check(referrer text: UnsafeBufferPointer<UInt8>, channel: Int32, declared: Set<String>, row: Int) {
        let referrer = referrers.intern(text)
        let referrerName = { [referrers] in referrers.name(referrer) }
        if !Self.decide(channel, referrer, in: &referrerOnChannel, { declared.contains(referrerName()) }) {
            referrerOff.record("row \(row): referrer \(referrers.name(referrer)) on channel \(channels.name(channel))")
        }
    }

    /// Whether the pair (`a`, `b`) is allowed: `rule` decides it the first time, `decided` remembers.
    static func decide(_ a: Int32, _ b: Int32, in decided: inout [UInt64: Bool], _ rule: () -> Bool) -> Bool {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        if let known = decided[key] { return known }
        let allowed = rule()
        decided[key] = allowed
        return allowed
    }
}
