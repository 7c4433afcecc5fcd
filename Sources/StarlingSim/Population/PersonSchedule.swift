import CPrefetch
import Foundation

/// Who starts the session that arrives at a given moment: people as processes, not a popularity
/// table drawn per event.
///
/// Each person has a personal rate (a log-normal activity, bounded: nobody is a bot) and belongs to
/// a group — their country's local time and their weekday or weekend habit — whose activity follows
/// the local hour and day of the week. A session arriving at `t` goes to a group in proportion to the
/// group's total rate at `t`, then to one of its members in proportion to their rate: the
/// superposition of every person's own process, which is the stream's arrival process. On top, each
/// person does one thing at a time (not before their previous session ended, `busyUntil`) and at most
/// `cap` sessions a local day; a person who is busy or at their cap is passed over for another like them
/// (`choose`), so the stream keeps its rate.
///
/// The state is per person, and every shard generates every session, so shards agree on it.
struct PersonSchedule: Sendable {
    /// A group of people: the offset of their local time from UTC, and their activity at each
    /// second of their local week (Monday 00:00 = 0), relative to a common scale.
    struct Group {
        var offsetSeconds: Int64
        var activity: (Int) -> Double
    }

    /// A person's state, with who they are: one 16-byte read per session drawn, the only access to
    /// memory that grows with the population (the draw itself reads small tables).
    struct PersonState: Sendable {
        /// The second before which the person is busy (since `epoch`).
        var busyUntil: UInt32
        /// The day of their last session start (days since `epoch`, +1; 0: none), and how many started then.
        var day: UInt16
        var count: UInt16
        /// Their number in the population, and what the domain keeps about them (`tags`).
        var person: Int32
        var tag: UInt32
    }

    /// 2000-01-01 00:00 UTC: states count seconds and days from it (to 2136).
    static let epoch: Int64 = 946_684_800
    /// Rates are grouped in buckets a quarter of an octave wide: a person is drawn as a bucket (by
    /// its total rate), then uniformly within it, so each person's rate is honoured to within 9%.
    static let bucketsPerOctave = 4.0

    /// Per group and bucket (at `group * bucketCount + bucket`), the bucket's first position in
    /// `people` (high 32 bits) and its size (low 32); per group, a choice among its buckets.
    let buckets: [UInt64]
    let bucketCount: Int
    let bucketChoice: [AliasTable]
    let offsets: [Int64]
    /// Per group, the offset of the day a cap counts in (the local day, or UTC's).
    let dayOffsets: [Int64]
    /// Per quarter hour of the UTC week, a choice among the groups by their rate then.
    let slotChoice: [AliasTable]
    /// Per minute of the UTC week, the total rate relative to the week's busiest minute (0…1).
    let intensities: [Double]
    let cap: UInt16
    /// Everyone, ordered by group then bucket.
    var people: [PersonState]
    /// Sessions that found nobody free (every draw busy or at the cap).
    private(set) var unplaced = 0

    static let slotSeconds = 900
    static let weekSeconds = 604_800
    /// Monday 1970-01-05 00:00 UTC: a week starts on a Monday.
    static let weekOrigin: Int64 = 4 * 86_400
    /// How many draws are made, and how many people of each one's bucket tried (`choose`), before a
    /// session is given up.
    static let tries = 24
    static let neighbours = 32

    /// Person `i` of the lists is number `persons[i]` of the population, in group `groupOf[i]`, at
    /// rate `weights[i]`, and the domain keeps `tags[i]` about them. `capInUTC`: the cap counts UTC
    /// days rather than local ones.
    init(persons: [Int32], groupOf: [Int32], weights: [Double], tags: [UInt32], groups: [Group], cap: Int, capInUTC: Bool = false) {
        let lowest = weights.filter { $0 > 0 }.min() ?? 1
        func bucket(_ w: Double) -> Int { w > 0 ? Int(Self.bucketsPerOctave * log2(w / lowest)) : 0 }
        let buckets = (weights.map(bucket).max() ?? 0) + 1
        // Positions: by group, then bucket, then population order.
        let keys = persons.indices.map { Int(groupOf[$0]) &* 1_000_000 &+ bucket(weights[$0]) }
        var order = Array(persons.indices)
        order.sort { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var starts = Array(repeating: Array(repeating: Int32(0), count: buckets), count: groups.count)
        var sizes = starts
        var rates = Array(repeating: Array(repeating: 0.0, count: buckets), count: groups.count)
        for (position, i) in order.enumerated().reversed() {
            let g = Int(groupOf[i]), b = keys[i] % 1_000_000
            starts[g][b] = Int32(position)
            sizes[g][b] += 1
            rates[g][b] += weights[i]
        }
        bucketCount = buckets
        self.buckets = zip(starts.joined(), sizes.joined()).map { UInt64(UInt32(bitPattern: $0)) << 32 | UInt64(UInt32(bitPattern: $1)) }
        bucketChoice = rates.map { AliasTable(weights: $0.contains { $0 > 0 } ? $0 : [1] + Array(repeating: 0, count: $0.count - 1)) }
        offsets = groups.map(\.offsetSeconds)
        dayOffsets = capInUTC ? groups.map { _ in 0 } : offsets
        let shape = Self.shape(groups: groups, totals: rates.map { $0.reduce(0, +) })
        intensities = shape.minutes
        slotChoice = shape.slots.map { AliasTable(weights: $0.contains { $0 > 0 } ? $0 : $0.map { _ in 1 }) }
        self.cap = UInt16(clamping: cap)
        people = Self.hugePageArray(count: order.count) { PersonState(busyUntil: 0, day: 0, count: 0, person: persons[order[$0]], tag: tags[order[$0]]) }
    }

    /// An array read at random positions, its buffer asked for huge pages before it is first touched
    /// (`madvise(MADV_HUGEPAGE)` on the whole 2 MiB pages inside it): one TLB entry then covers 2 MiB
    /// rather than 4 KiB, and a draw among millions of people no longer walks the page tables (the
    /// prefetch of the next person stalled on it). Smaller arrays, or a kernel without transparent
    /// huge pages, are served as before: it is a hint, and changes nothing else.
    static func hugePageArray<Element>(count: Int, _ element: (Int) -> Element) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            let huge: UInt = 1 << 21
            let start = (UInt(bitPattern: base) + huge - 1) & ~(huge - 1)
            let end = UInt(bitPattern: base + count) & ~(huge - 1)
            if end > start, let address = UnsafeMutableRawPointer(bitPattern: start) {
                _ = madvise(address, Int(end - start), MADV_HUGEPAGE)
            }
            for i in 0..<count { (base + i).initialize(to: element(i)) }
            initialized = count
        }
    }

    /// The week's shape for groups of total rates `totals`: per minute the relative total, per
    /// quarter hour each group's rate.
    static func shape(groups: [Group], totals: [Double]) -> (minutes: [Double], slots: [[Double]]) {
        func local(_ utc: Int, _ g: Int) -> Int {
            let shifted = (Int64(utc) + groups[g].offsetSeconds) % Int64(weekSeconds)
            return Int(shifted < 0 ? shifted + Int64(weekSeconds) : shifted)
        }
        var minutes = (0..<(weekSeconds / 60)).map { m in
            groups.indices.reduce(0.0) { $0 + totals[$1] * groups[$1].activity(local(m * 60 + 30, $1)) }
        }
        let peak = max(minutes.max() ?? 1, .leastNonzeroMagnitude)
        minutes = minutes.map { $0 / peak }
        let slots = (0..<(weekSeconds / slotSeconds)).map { q in
            groups.indices.map { totals[$0] * groups[$0].activity(local(q * slotSeconds + slotSeconds / 2, $0)) }
        }
        return (minutes, slots)
    }

    /// The quarter hour of the UTC week of Unix second `t` (which `slotChoice` to draw a group from).
    @inline(__always)
    static func slot(_ t: Int64) -> Int { secondOfWeek(t) / slotSeconds }

    /// The second of the UTC week (Monday 00:00 = 0) of Unix second `t`.
    @inline(__always)
    static func secondOfWeek(_ t: Int64) -> Int {
        let s = (t - weekOrigin) % Int64(weekSeconds)
        return Int(s < 0 ? s + Int64(weekSeconds) : s)
    }

    /// The rate at a second of the UTC week, relative to the busiest minute (0…1).
    @inline(__always)
    func intensity(secondOfWeek: Int) -> Double { intensities[secondOfWeek / 60] }

    /// Who a session goes to: their position in `people` (for `occupy`), number, group and tag.
    typealias Chosen = (position: Int, person: Int, group: Int, tag: UInt32)
    /// One draw of a person: their position in `people` and group, and their bucket's first position
    /// and size (0: the bucket drawn is empty, and the position means nothing).
    typealias Draw = (position: Int, group: Int, start: Int, size: Int)

    /// A free person to start a session at `t`; nil when nobody drawn, nor their neighbours, was
    /// free. `first`: the first draw, already made (by `prepare`). Call `occupy` once the session's
    /// end is known.
    ///
    /// A person drawn who is busy or at their cap passes the session to the next one of their bucket
    /// (same group, same rate to within 9%), and so on for up to `neighbours` people, before a new
    /// draw. Every member of a bucket is as likely as any other to be drawn or to follow a busy one
    /// (the walk wraps around the bucket), so each keeps their share of the sessions
    /// (`PersonScheduleTests`); and a walk reads neighbouring states, two or four to a cache line,
    /// where a new draw costs three random numbers and a read elsewhere — a cache miss once the
    /// population outgrows the cache. With most people busy (ci-smoke's journeys last days), eight
    /// neighbours left a session trying several draws, and the misses took 9% of generating it;
    /// 32 make a new draw rare.
    @inline(__always)
    mutating func choose(at t: Int64, first: Draw? = nil, using rng: inout Xoshiro256) -> Chosen? {
        let now = t &- Self.epoch
        let slot = Self.slot(t)
        var draw = first ?? candidate(slot: slot, using: &rng)
        for attempt in 0..<Self.tries {
            if attempt > 0 { draw = candidate(slot: slot, using: &rng) }
            var position = draw.position
            let end = draw.start &+ draw.size
            for _ in 0..<min(draw.size, Self.neighbours) {
                let state = people[position]
                if Int64(state.busyUntil) <= now, state.count < cap || state.day != localDay(t, group: draw.group) {
                    return (position, Int(state.person), draw.group, state.tag)
                }
                position &+= 1
                if position == end { position = draw.start }
            }
        }
        unplaced += 1
        return nil
    }

    /// One draw: a group by its rate in the quarter hour `slot`, a bucket by its rate, a person in it.
    @inline(__always)
    func candidate(slot: Int, using rng: inout Xoshiro256) -> Draw {
        let g = slotChoice[slot].sample(using: &rng)
        let bucket = buckets[g &* bucketCount &+ bucketChoice[g].sample(using: &rng)]
        let start = Int(bucket >> 32), size = Int(bucket & 0xFFFF_FFFF)
        guard size > 0 else { return (0, g, 0, 0) }
        return (start &+ rng.below(size), g, start, size)
    }

    /// The next session as `prepare` left it: what it was prepared for, its generator after the
    /// first draw, and that draw.
    private var prepared: (index: Int, seed: UInt64, t: Int64, rng: Xoshiro256, draw: Draw) = (-1, 0, 0, Xoshiro256(seed: 0), (0, 0, 0, 0))

    /// Seeds the generator of session `index` (stream `stream`), makes its first draw of a person at
    /// `start` and asks the cache for that person's state: the model calls it as soon as the next
    /// session's start is known, so the read (one per session, into memory that grows with the
    /// population) overlaps with writing the current session's events rather than stalling the next.
    @inline(__always)
    mutating func prepare(index: Int, start: Int64, seed: UInt64, stream: StreamTag) {
        var rng = Xoshiro256(seed: seed, stream: stream, index: UInt64(index))
        let draw = candidate(slot: Self.slot(start), using: &rng)
        if draw.size > 0 {
            people.withUnsafeBufferPointer { if let base = $0.baseAddress { starling_prefetch(base + draw.position) } }
        }
        prepared = (index, seed, start, rng, draw)
    }

    /// Session `index`'s generator (stream `stream`) and who it goes to at `t` (`choose`; nil:
    /// nobody free): from where `prepare` left it, or drawn now alike.
    @inline(__always)
    mutating func begin(session index: Int, seed: UInt64, stream: StreamTag, at t: Int64) -> (rng: Xoshiro256, chosen: Chosen?) {
        if prepared.index == index, prepared.seed == seed, prepared.t == t {
            var rng = prepared.rng
            let chosen = choose(at: t, first: prepared.draw, using: &rng)
            return (rng, chosen)
        }
        var rng = Xoshiro256(seed: seed, stream: stream, index: UInt64(index))
        let chosen = choose(at: t, using: &rng)
        return (rng, chosen)
    }

    /// The person's local day at `t` (days since `epoch` in their group's local time, +1).
    @inline(__always)
    func localDay(_ t: Int64, group: Int) -> UInt16 {
        let local = t &- Self.epoch &+ dayOffsets[group]
        return UInt16(clamping: (local >= 0 ? local / 86_400 : -1) &+ 1)
    }

    /// Records a session of the person at `position` starting at `start` that keeps them busy until `end`.
    @inline(__always)
    mutating func occupy(_ position: Int, group: Int, start: Int64, until end: Int64) {
        let day = localDay(start, group: group)
        var state = people[position]
        state.count = state.day == day ? state.count &+ 1 : 1
        state.day = day
        state.busyUntil = UInt32(clamping: end &- Self.epoch)
        people[position] = state
    }

    /// A person's rate: a log-normal of sigma `sigma` around 1 from their standard-normal draw,
    /// bounded at `ceiling` times the median (what one person can do).
    static func weight(activity z: Double, sigma: Double, ceiling: Double) -> Double {
        min(exp(sigma * z), ceiling)
    }

    /// How many people give `perWeek` sessions per active person per week (sessions ÷ people with
    /// at least one) when `weekly` sessions a week are spread over them at rates of `weight`'s
    /// distribution: the expected active share of N people is E[1 − exp(−weekly·w / (N·E[w]))],
    /// increasing in N, solved by bisection over quantiles of the rate distribution. At least the
    /// people it takes for `perWeek` with every rate equal.
    static func people(perWeek: Double, weekly: Double, sigma: Double, ceiling: Double) -> Int {
        guard perWeek > 0, weekly > 0 else { return 1 }
        let quantiles = (0..<400).map { i -> Double in
            let p = (Double(i) + 0.5) / 400
            return weight(activity: Distribution.standardNormalQuantile(p), sigma: sigma, ceiling: ceiling)
        }
        let mean = quantiles.reduce(0, +) / Double(quantiles.count)
        func perActive(_ n: Double) -> Double {
            let active = quantiles.reduce(0.0) { $0 + (1 - exp(-weekly * $1 / (n * mean))) } / Double(quantiles.count)
            return weekly / (n * max(active, .leastNonzeroMagnitude))
        }
        var low = 1.0, high = 1e9
        // perActive falls as N grows (towards 1: everyone active once at most).
        guard perActive(low) > perWeek else { return 1 }
        if perActive(high) > perWeek { return Int(high) }
        for _ in 0..<100 {
            let mid = (low * high).squareRoot()
            if perActive(mid) > perWeek { low = mid } else { high = mid }
        }
        return Int(high.rounded(.up))
    }
}

extension PersonSchedule {
    /// The schedule of people who live in `countries` (shares) and follow `curve` in their local
    /// time: persons `0..<N` of the population, N given or derived from `perWeek` sessions per
    /// active person at `perHour` sessions at the busiest hour. `tag` is what the domain keeps about
    /// each (from their draws). Also returns each person's country.
    static func worldwide(
        countries: [(String, Double)], curve: DailyCurve, perHour: Double, perWeek: Double, people given: Int?,
        sigma: Double, ceiling: Double, cap: Int, capInUTC: Bool = false, populationSeed: UInt64,
        tag: (PersonDraws, _ country: Int) -> UInt32
    ) -> (schedule: PersonSchedule, countryOf: [Int32]) {
        let groups = countries.map { country in
            Group(offsetSeconds: Int64((Countries.offset(country.0) * 3600).rounded())) { curve.intensity(secondOfWeek: $0) }
        }
        let count: Int
        if let given {
            count = given
        } else {
            let expected = shape(groups: groups, totals: countries.map(\.1))
            count = people(perWeek: perWeek, weekly: perHour / 60 * expected.minutes.reduce(0, +), sigma: sigma, ceiling: ceiling)
        }
        let countryChoice = CumulativeChoice(weights: countries.map(\.1))
        var countryOf: [Int32] = [], weights: [Double] = [], tags: [UInt32] = []
        countryOf.reserveCapacity(count)
        weights.reserveCapacity(count)
        tags.reserveCapacity(count)
        for person in 0..<count {
            let draws = PersonDraws(person: person, populationSeed: populationSeed)
            let country = countryChoice.choose(draws.country)
            countryOf.append(Int32(truncatingIfNeeded: country))
            weights.append(weight(activity: draws.activity, sigma: sigma, ceiling: ceiling))
            tags.append(tag(draws, country))
        }
        let schedule = PersonSchedule(persons: (0..<Int32(count)).map { $0 }, groupOf: countryOf, weights: weights, tags: tags,
                                      groups: groups, cap: cap, capInUTC: capInUTC)
        return (schedule, countryOf)
    }
}
