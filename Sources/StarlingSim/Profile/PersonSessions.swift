/// One visit, session or journey of a person: what the checks that span a person's sessions need.
struct SessionSpan: Sendable {
    /// Unix milliseconds of its first event, and of its end (last event, or start + dwell).
    var start: Int64
    var end: Int64
    /// The person's and the span's own number (for names in examples).
    var person: Int32
    var label: Int32
}

/// How the checks over a person's sessions name things in their examples and count days.
struct SessionNaming {
    /// "visit", "session", "journey".
    var noun: String
    /// Whose day ("stores' local time", "local time", "UTC").
    var dayKind: String
    var person: (Int32) -> String
    var label: (Int32) -> String
    /// Seconds from UTC of the local day of a span, by its label.
    var offsetSeconds: (Int32) -> Int64
    /// The results' names: the two impossibilities and the per-week statistic.
    var overlapName: String
    var capName: String
    var weekName: String
    var weekMeaning: String
}

/// The checks over each person's sessions in start order, from spans kept in any order: overlaps,
/// the per-day cap, and sessions per person per week.
struct PersonSessions {
    var overlaps: Impossibility
    var overCap: Impossibility
    var perWeek: Statistic

    /// `spans` grouped by person (a stable counting sort, O(n)), each person's sorted by start only
    /// when they were not already: output in time order costs one pass.
    init(_ spans: [SessionSpan], persons: Int, maxPerDay: Int, first: Int64?, last: Int64?, naming: SessionNaming) {
        overlaps = Impossibility(naming.overlapName, meaning: "a \(naming.noun) starting before the end of the same person's previous \(naming.noun)")
        overCap = Impossibility(naming.capName, meaning: "person-days (\(naming.dayKind)) with more than \(maxPerDay) \(naming.noun)s starting")
        var order = Self.groupedByPerson(spans, persons: persons)
        var window = WeekWindows(first: first, last: last)
        var days: [Int64] = []
        var groupStart = 0
        while groupStart < order.count {
            let person = spans[Int(order[groupStart])].person
            var groupEnd = groupStart + 1
            while groupEnd < order.count, spans[Int(order[groupEnd])].person == person { groupEnd += 1 }
            let inOrder = (groupStart + 1..<groupEnd).allSatisfy { Self.precedes(spans[Int(order[$0 - 1])], spans[Int(order[$0])]) }
            if !inOrder { order[groupStart..<groupEnd].sort { Self.precedes(spans[Int($0)], spans[Int($1)]) } }

            days.removeAll(keepingCapacity: true)
            var previous: SessionSpan?
            window.beginPerson()
            for index in order[groupStart..<groupEnd] {
                let span = spans[Int(index)]
                if let before = previous, span.start < before.end {
                    overlaps.record("\(naming.person(person)): \(naming.label(span.label)) starts \(ProfileTime.text(span.start)) "
                        + "before \(naming.label(before.label)) ends \(ProfileTime.text(before.end, after: span.start))")
                }
                previous = span
                days.append(ProfileTime.day(span.start, offsetSeconds: naming.offsetSeconds(span.label)))
                window.add(span.start)
            }
            Self.countDays(&days, into: &overCap, person: naming.person(person), maxPerDay: maxPerDay, naming: naming)
            groupStart = groupEnd
        }
        perWeek = window.statistic(naming.weekName, meaning: naming.weekMeaning, noun: naming.noun)
    }

    /// Start order; equal starts by label, so that the order never depends on the input's.
    static func precedes(_ a: SessionSpan, _ b: SessionSpan) -> Bool {
        a.start != b.start ? a.start < b.start : a.label < b.label
    }

    static func groupedByPerson(_ spans: [SessionSpan], persons: Int) -> [Int32] {
        stableGroupOrder(spans, groups: persons) { $0.person }
    }

    /// Counts a person's days (`days`: the local day of each session start) with more than the cap.
    static func countDays(_ days: inout [Int64], into overCap: inout Impossibility, person: @autoclosure () -> String, maxPerDay: Int,
                          naming: SessionNaming) {
        if !zip(days, days.dropFirst()).allSatisfy({ $0 <= $1 }) { days.sort() }
        var i = 0
        while i < days.count {
            var j = i + 1
            while j < days.count, days[j] == days[i] { j += 1 }
            if j - i > maxPerDay {
                overCap.record("\(person()): \(j - i) \(naming.noun)s start on \(ProfileTime.date(day: days[i])) (\(naming.dayKind)), more than \(maxPerDay)")
            }
            i = j
        }
    }
}

/// Complete 7-day windows from the first event's UTC midnight: sessions starting in each, and the
/// distinct persons who started them. A window is complete when the data reaches its last day.
struct WeekWindows {
    let firstDay: Int64
    let complete: Int
    var sessions: [Int]
    var persons: [Int]
    var personWindow = -1
    let spannedDays: Int64

    init(first: Int64?, last: Int64?) {
        firstDay = first.map { ProfileTime.day($0, offsetSeconds: 0) } ?? 0
        let lastDay = last.map { ProfileTime.day($0, offsetSeconds: 0) } ?? -1
        spannedDays = max(0, lastDay - firstDay + 1)
        complete = Int(spannedDays / 7)
        sessions = Array(repeating: 0, count: complete)
        persons = Array(repeating: 0, count: complete)
    }

    mutating func beginPerson() { personWindow = -1 }

    /// A session of the current person (their sessions come in start order).
    mutating func add(_ start: Int64) {
        let window = Int((ProfileTime.day(start, offsetSeconds: 0) - firstDay) / 7)
        guard window >= 0, window < complete else { return }
        sessions[window] += 1
        if window != personWindow {
            persons[window] += 1
            personWindow = window
        }
    }

    func statistic(_ name: String, meaning: String, noun: String) -> Statistic {
        guard complete > 0 else {
            return Statistic(name, nil, n: 0, kind: .value, meaning: meaning,
                             note: "needs a complete week from the first event's UTC midnight; the data spans \(spannedDays) day(s)")
        }
        let ratios = zip(sessions, persons).filter { $0.1 > 0 }.map { Double($0.0) / Double($0.1) }
        let mean = ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
        let note = ratios.count < complete ? "\(complete - ratios.count) of \(complete) weeks without a \(noun)" : nil
        return Statistic(name, mean, n: sessions.reduce(0, +), kind: .value, meaning: meaning, note: note)
    }
}

/// Times in examples and day arithmetic on Unix milliseconds.
enum ProfileTime {
    /// `YYYY-MM-DD HH:MM:SS` (and `.mmm` when not a whole second), UTC.
    static func text(_ milliseconds: Int64) -> String {
        let (seconds, millis) = split(milliseconds)
        guard millis != 0 else { return formatTimestamp(seconds) }
        let digits = String(millis)
        return formatTimestamp(seconds) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// As `text`, without the date when it is that of `reference`.
    static func text(_ milliseconds: Int64, after reference: Int64) -> String {
        let full = text(milliseconds)
        return full.prefix(10) == text(reference).prefix(10) ? String(full.dropFirst(11)) : full
    }

    static func split(_ milliseconds: Int64) -> (seconds: Int64, millis: Int64) {
        let seconds = floorDivision(milliseconds, 1000)
        return (seconds, milliseconds - seconds * 1000)
    }

    /// The day number (Unix days) of a time, `offsetSeconds` east of UTC.
    static func day(_ milliseconds: Int64, offsetSeconds: Int64) -> Int64 {
        floorDivision(split(milliseconds).seconds + offsetSeconds, 86_400)
    }

    static func date(day: Int64) -> String { String(formatTimestamp(day * 86_400).prefix(10)) }

    static func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Seconds east of UTC for an offset in hours (5.5 for India).
    static func seconds(hours: Double) -> Int64 { Int64((hours * 3600).rounded()) }
}

/// The indexes of `items` grouped by `group(item)` (0..<groups), in their order within each group:
/// a stable counting sort, O(n).
func stableGroupOrder<Item>(_ items: [Item], groups: Int, _ group: (Item) -> Int32) -> [Int32] {
    var starts = Array(repeating: 0, count: groups + 1)
    for item in items { starts[Int(group(item)) + 1] += 1 }
    for g in 0..<groups { starts[g + 1] += starts[g] }
    var order = Array(repeating: Int32(0), count: items.count)
    for (index, item) in items.enumerated() {
        let g = Int(group(item))
        order[starts[g]] = Int32(index)
        starts[g] += 1
    }
    return order
}
