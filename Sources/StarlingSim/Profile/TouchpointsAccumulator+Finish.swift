extension TouchpointsAccumulator {
    func finish() -> MeasuredRows {
        let any = !touches.isEmpty
        let (customers, journeyIDs) = (self.customers, self.journeyIDs)
        let spans = journeys.enumerated().map { SessionSpan(start: $1.start, end: $1.end, person: $1.customer, label: Int32($0)) }
        let perCustomer = PersonSessions(
            spans, persons: customers.count, maxPerDay: declared.maxPerDay, first: any ? first : nil, last: any ? last : nil,
            naming: SessionNaming(
                noun: "journey", dayKind: "UTC", person: { customers.name($0) }, label: { journeyIDs.name($0) }, offsetSeconds: { _ in 0 },
                overlapName: "overlapping_journeys", capName: "customers_over_daily_cap", weekName: "journeys_per_customer_per_week",
                weekMeaning: "journeys ÷ distinct customers per complete week"))
        var (offChannel, referrerOff) = (self.offChannel, self.referrerOff)
        let unchecked = campaigns.names { $0.channels == nil }
        if !unchecked.isEmpty { offChannel.note = "not checked for campaigns with no declared channels: \(unchecked.listed())" }
        let free = channels.names { $0 == nil }
        if !free.isEmpty { referrerOff.note = "not checked on channels with no declared referrers: \(free.listed())" }
        var measured = MeasuredRows(
            first: any ? first : nil, last: any ? last : nil,
            counts: [
                .init(name: "touchpoints", value: touches.count), .init(name: "sessions", value: sessions.count),
                .init(name: "journeys", value: journeys.count), .init(name: "customers", value: customers.count),
            ],
            statistics: clickThroughRates() + [
                .proportion("email_click_to_open", emailClicks, of: emailOpens, meaning: "email_click ÷ email_open", none: "no email_open"),
            ] + deviceStatistics(),
            impossibilities: [perCustomer.overlaps, perCustomer.overCap, offChannel, outOfSeason, referrerOff, timeSpentOverruns(), funnelWidening()])
        if unknownKindRows > 0 {
            let known = TouchpointKind.allCases.map(\.rawValue).joined(separator: ", ")
            measured.notes.append("\(unknownKindRows) rows with a touchpoint_type not in \(known): \(kinds.names { $0 == nil }.listed())")
        }
        return measured
    }

    /// `ctr_<channel>` of every channel with an ad_impression or an ad_click, by name.
    func clickThroughRates() -> [Statistic] {
        (0..<channels.count).filter { impressions[$0] + clicks[$0] > 0 }.map { channel in
            let name = channels.name(Int32(channel))
            return .proportion("ctr_\(name)", clicks[channel], of: impressions[channel], meaning: "ad_click ÷ ad_impression on \(name)",
                               none: "no ad_impression on \(name)")
        }.sorted { $0.name < $1.name }
    }

    /// `device_share_<device>` of every device seen, session conversion, and its desktop ÷ mobile.
    func deviceStatistics() -> [Statistic] {
        var perDevice = Array(repeating: 0, count: devices.count)
        var onSite = Array(repeating: 0, count: devices.count), converted = Array(repeating: 0, count: devices.count)
        for session in sessions {
            perDevice[Int(session.device)] += 1
            if session.onSite {
                onSite[Int(session.device)] += 1
                if session.purchased { converted[Int(session.device)] += 1 }
            }
        }
        let shares = (0..<devices.count).map { device in
            let name = devices.name(Int32(device))
            return Statistic.proportion("device_share_\(name)", perDevice[device], of: sessions.count, meaning: "sessions on \(name) ÷ sessions", none: "no sessions")
        }.sorted { $0.name < $1.name }
        let conversion = Statistic.proportion(
            "session_conversion_rate", converted.reduce(0, +), of: onSite.reduce(0, +),
            meaning: "on-site sessions (with a page_view or product_view) with a purchase ÷ on-site sessions", none: "no on-site session")
        func rate(_ device: String) -> (value: Double?, n: Int) {
            var text = device
            guard let id = text.withUTF8({ devices.number(of: $0) }), onSite[Int(id)] > 0 else { return (nil, 0) }
            return (Double(converted[Int(id)]) / Double(onSite[Int(id)]), onSite[Int(id)])
        }
        let (desktop, mobile) = (rate("desktop"), rate("mobile"))
        let ratio: Double? = if let d = desktop.value, let m = mobile.value, m > 0 { d / m } else { nil }
        let ratioStatistic = Statistic(
            "desktop_mobile_conversion_ratio", ratio, n: desktop.n + mobile.n, kind: .value,
            meaning: "session_conversion_rate on desktop ÷ on mobile",
            note: ratio == nil ? "needs on-site sessions on desktop and mobile, and a conversion on mobile" : nil)
        return shares + [conversion, ratioStatistic]
    }

    /// Per customer, touchpoints by (timestamp, then file order): each one's time_spent must fit
    /// before the customer's next touchpoint (the last one is not checked).
    func timeSpentOverruns() -> Impossibility {
        var overruns = Impossibility("time_spent_overrun", meaning: "touchpoints whose time_spent is longer than the gap to the same customer's next touchpoint")
        var order = stableGroupOrder(touches, groups: customers.count) { $0.customer }
        var start = 0
        while start < order.count {
            let customer = touches[Int(order[start])].customer
            var end = start + 1
            while end < order.count, touches[Int(order[end])].customer == customer { end += 1 }
            // File order within the group already; sorted by time only when the rows were not.
            if !(start + 1..<end).allSatisfy({ touches[Int(order[$0 - 1])].time <= touches[Int(order[$0])].time }) {
                order[start..<end].sort { (touches[Int($0)].time, $0) < (touches[Int($1)].time, $1) }
            }
            for position in start + 1..<end {
                let (before, next) = (touches[Int(order[position - 1])], touches[Int(order[position])])
                let gap = next.time - before.time
                if Int64(before.timeSpent) * 1000 > gap {
                    let (row, next) = (rowNumbers[Int(order[position - 1])], rowNumbers[Int(order[position])])
                    overruns.record("\(customers.name(customer)): row \(row) at \(ProfileTime.text(before.time)) spends \(before.timeSpent) s, "
                        + "the next touchpoint (row \(next)) comes \(Self.seconds(gap)) s later")
                }
            }
            start = end
        }
        return overruns
    }

    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }

    /// Customers per touchpoint kind: ad_impression ≥ ad_click, (page_view or product_view) ≥
    /// add_to_cart ≥ checkout ≥ purchase; a step whose later count is larger widens.
    func funnelWidening() -> Impossibility {
        var widening = Impossibility("funnel_widening", meaning: "of the four funnel steps (customers with ad_impression ≥ ad_click, page_view or product_view ≥ add_to_cart ≥ checkout ≥ purchase), how many widen")
        func customers(_ kinds: TouchpointKind...) -> Int {
            let mask = kinds.reduce(UInt16(0)) { $0 | 1 << UInt16($1.position) }
            return kindsSeen.count(where: { $0 & mask != 0 })
        }
        let steps: [(String, Int, String, Int)] = [
            ("ad_impression", customers(.adImpression), "ad_click", customers(.adClick)),
            ("page_view or product_view", customers(.pageView, .productView), "add_to_cart", customers(.addToCart)),
            ("add_to_cart", customers(.addToCart), "checkout", customers(.checkout)),
            ("checkout", customers(.checkout), "purchase", customers(.purchase)),
        ]
        for (earlier, before, later, after) in steps where after > before {
            widening.record("\(after) customers with \(later), more than the \(before) with \(earlier)")
        }
        return widening
    }

    static func unlisted(_ name: String, in measured: MeasuredRows) -> Statistic? {
        let sessions = measured.counts.first { $0.name == "sessions" }?.value ?? 0
        if name.hasPrefix("device_share_") {
            let device = String(name.dropFirst("device_share_".count))
            return .proportion(name, 0, of: sessions, meaning: "sessions on \(device) ÷ sessions", none: "no sessions")
        }
        if name.hasPrefix("ctr_") {
            let channel = String(name.dropFirst("ctr_".count))
            return Statistic(name, nil, n: 0, kind: .proportion, meaning: "ad_click ÷ ad_impression on \(channel)", note: "no ad_impression on \(channel)")
        }
        return nil
    }
}
