/// Events of open sessions that are not emitted yet, handed out in (time, session, position) order.
/// Sessions are added in increasing session index, each with its events in time order, and no
/// event added is earlier than the last one popped: `EventStream` adds what is left of a session
/// when the next one starts, and everything left is later than what was emitted.
///
/// A hierarchical timing wheel, not a heap. With thousands of journeys open (they last days), a
/// heap's pop sifted a key down a dozen levels, with a mispredicted branch where it stopped and a
/// miss on each level: a sixth of a touchpoint's instructions and a third of its mispredicted
/// branches (cachegrind). Here every event waits in a first-in-first-out list, and adding or
/// popping one is a few links, whatever the number open:
/// - **seconds**: a list per second of the current page (2^10 seconds, a quarter of an hour) and a
///   bitmap of the non-empty ones: the earliest event heads the first set bit's list;
/// - **pages**: a list per later page of the current week (2^8 pages, three days), spread into
///   the seconds when the wheel reaches the page;
/// - **weeks**: a list per later week, for the next 255 (a ring: about two years), spread into the
///   pages and seconds when the wheel reaches the week;
/// - **overflow**: anything further, in a heap by (time, order added), moved into the weeks as
///   the wheel comes within reach.
///
/// Why first-in-first-out gives the order: events of one second come by session, then position,
/// the order they are added in. Every list receives its events in that order: direct adds come in
/// order, and a list fed from a coarser level is fed when the wheel first reaches its range, before
/// anything can be added to it directly (the overflow hands its events over by time, then order
/// added).
///
/// The memory is raw (a record pool, its links, the lists and bitmaps), owned by `storage` and
/// copied when a copy of the wheel is changed (`makeUnique`, once per add or pop): the wheel is a
/// value like an array, without an array's uniqueness and bounds checks on each access.
struct OpenSessions<Record: EventRecord>: @unchecked Sendable {
    /// A list of slots, linked through `links` (-1: none).
    struct List {
        var head: Int32
        var tail: Int32

        static var empty: List { List(head: -1, tail: -1) }
    }

    /// A slot's successor in its list (or in the free list), and its session's owner.
    struct Link {
        var next: Int32
        var owner: Int32
    }

    /// An event in the overflow heap: (time, order added) as one number, and its slot.
    struct Far {
        var order: UInt128
        var slot: Int32

        init(time: Int64, added: Int, slot: Int32) {
            order = UInt128(UInt64(bitPattern: time) ^ (1 << 63)) << 64 | UInt128(UInt(bitPattern: added))
            self.slot = slot
        }

        var time: Int64 { Int64(bitPattern: UInt64(truncatingIfNeeded: order >> 64) ^ (1 << 63)) }
    }

    /// Owns the raw memory (the struct keeps the pointers, so that using them is not an access to
    /// a class's property).
    final class Storage {
        let pool: UnsafeMutablePointer<Record>
        let links: UnsafeMutablePointer<Link>
        let lists: UnsafeMutablePointer<List>
        let bits: UnsafeMutablePointer<UInt64>
        let earliest: UnsafeMutablePointer<Int64>

        init(capacity: Int) {
            pool = .allocate(capacity: capacity)
            links = .allocate(capacity: capacity)
            lists = .allocate(capacity: OpenSessions.listCount)
            lists.initialize(repeating: .empty, count: OpenSessions.listCount)
            bits = .allocate(capacity: OpenSessions.listCount / 64)
            bits.initialize(repeating: 0, count: OpenSessions.listCount / 64)
            earliest = .allocate(capacity: OpenSessions.listCount)
            earliest.initialize(repeating: .max, count: OpenSessions.listCount)
        }

        deinit {
            pool.deallocate()
            links.deallocate()
            lists.deallocate()
            bits.deallocate()
            earliest.deallocate()
        }
    }

    /// log2 of the seconds in a page, of the pages in a week; weeks in the ring.
    static var secondShift: Int64 { 10 }
    static var pageShift: Int64 { 8 }
    static var weekCount: Int { 256 }
    /// Where each level's lists (and bits) start: seconds, then pages, then weeks.
    static var pageLists: Int { 1 << secondShift }
    static var weekLists: Int { pageLists + 1 << pageShift }
    static var listCount: Int { weekLists + weekCount }

    private var storage: Storage
    private var pool: UnsafeMutablePointer<Record>
    private var links: UnsafeMutablePointer<Link>
    private var lists: UnsafeMutablePointer<List>
    private var bits: UnsafeMutablePointer<UInt64>
    /// The earliest time in each page's and week's list (`.max`: empty).
    private var earliest: UnsafeMutablePointer<Int64>
    private var capacity: Int
    /// Slots ever used (0..<used); those not waiting are in the free list.
    private var used = 0
    private var free: Int32 = -1
    /// The current page (Unix seconds >> secondShift): the earliest event waiting is in it or
    /// later, and so is every event added.
    private var page: Int64
    /// The first word of the seconds' bitmap that may have a bit set, and how many events the
    /// seconds hold.
    private var secondWord = 0
    private var inSeconds = 0
    private var overflow: [Far] = []
    /// Events added so far (the overflow's tie-break).
    private var added = 0
    /// Events waiting.
    private(set) var count = 0
    /// The earliest event's time; `Int64.max` when none waits.
    private(set) var nextTime = Int64.max

    /// A wheel for events at or after `start` (Unix seconds).
    init(start: Int64) {
        capacity = 256
        storage = Storage(capacity: capacity)
        (pool, links, lists, bits, earliest) = (storage.pool, storage.links, storage.lists, storage.bits, storage.earliest)
        page = start >> Self.secondShift
    }

    var peekTime: Int64? { count == 0 ? nil : nextTime }
    var isEmpty: Bool { count == 0 }

    /// Adds a session's events (in time order); an empty session is ignored.
    mutating func add(events: ArraySlice<Record>, owner: Int) {
        guard let first = events.first else { return }
        makeUnique()
        if used &+ events.count > capacity { grow(to: used + events.count) }
        let owner = Int32(truncatingIfNeeded: owner)
        for record in events {
            let slot: Int32
            if free >= 0 {
                slot = free
                free = links[Int(slot)].next
            } else {
                slot = Int32(truncatingIfNeeded: used)
                used &+= 1
            }
            pool[Int(slot)] = record
            links[Int(slot)].owner = owner
            place(slot, time: record.time)
            added &+= 1
        }
        count &+= events.count
        nextTime = min(nextTime, first.time)
    }

    /// Removes and returns the earliest event; there must be one.
    mutating func pop() -> (record: Record, owner: Int) {
        makeUnique()
        if inSeconds == 0 { advance() }
        var word = secondWord
        while bits[word] == 0 { word &+= 1 }
        secondWord = word
        let second = word &<< 6 | bits[word].trailingZeroBitCount
        let slot = Int(lists[second].head)
        let link = links[slot]
        lists[second].head = link.next
        if link.next < 0 {
            lists[second].tail = -1
            bits[word] &= bits[word] &- 1  // the lowest set bit is this second's
        }
        let record = pool[slot]
        links[slot].next = free
        free = Int32(truncatingIfNeeded: slot)
        inSeconds &-= 1
        count &-= 1
        if link.next >= 0 {
            nextTime = record.time
        } else if inSeconds > 0 {
            while bits[word] == 0 { word &+= 1 }
            nextTime = page &<< Self.secondShift | Int64(word &<< 6 | bits[word].trailingZeroBitCount)
        } else {
            nextTime = laterTime()
        }
        return (record, Int(link.owner))
    }

    /// Links `slot` at the end of its second's, page's or week's list, or puts it in the overflow.
    @inline(__always)
    private mutating func place(_ slot: Int32, time: Int64) {
        let slotPage = time >> Self.secondShift
        let list: Int
        if slotPage == page {
            list = Int(truncatingIfNeeded: time) & (Self.pageLists &- 1)
            inSeconds &+= 1
            secondWord = min(secondWord, list &>> 6)
        } else {
            let slotWeek = slotPage >> Self.pageShift, week = page >> Self.pageShift
            if slotWeek == week {
                list = Self.pageLists &+ Int(truncatingIfNeeded: slotPage) & (1 &<< Int(Self.pageShift) &- 1)
            } else if slotWeek &- week < Self.weekCount {
                list = Self.weekLists &+ Int(truncatingIfNeeded: slotWeek) & (Self.weekCount &- 1)
            } else {
                pushFar(Far(time: time, added: added, slot: slot))
                return
            }
            earliest[list] = min(earliest[list], time)
        }
        links[Int(slot)].next = -1
        let tail = lists[list].tail
        if tail < 0 { lists[list].head = slot } else { links[Int(tail)].next = slot }
        lists[list].tail = slot
        bits[list &>> 6] |= 1 &<< UInt64(list & 63)
    }

    /// The earliest time in the pages, weeks or overflow (the seconds are empty).
    private func laterTime() -> Int64 {
        if let list = firstPageList() ?? firstWeekList() { return earliest[list] }
        return overflow.first?.time ?? .max
    }

    /// The first non-empty list among the current week's pages after the current one.
    private func firstPageList() -> Int? {
        firstSet(from: Self.pageLists &+ Int(truncatingIfNeeded: page) & (1 &<< Int(Self.pageShift) &- 1) &+ 1, to: Self.weekLists)
    }

    /// The first non-empty list among the weeks after the current one (the ring, in order).
    private func firstWeekList() -> Int? {
        let next = Self.weekLists &+ Int(truncatingIfNeeded: (page >> Self.pageShift) &+ 1) & (Self.weekCount &- 1)
        return firstSet(from: next, to: Self.listCount) ?? firstSet(from: Self.weekLists, to: next)
    }

    /// The first list in `from..<to` whose bit is set, a word at a time.
    private func firstSet(from: Int, to: Int) -> Int? {
        var list = from
        while list < to {
            let word = bits[list &>> 6] &>> UInt64(list & 63)
            if word != 0 {
                let found = list &+ word.trailingZeroBitCount
                return found < to ? found : nil
            }
            list = (list | 63) &+ 1
        }
        return nil
    }

    /// Moves the wheel to the earliest event's page (the seconds are empty, an event waits): to the
    /// current week's next non-empty page, or else to the next week with events, whose list (after
    /// the overflow's events now within the ring joined the weeks) is spread into pages and seconds.
    private mutating func advance() {
        while inSeconds == 0 {
            if let list = firstPageList() {
                page = (page >> Self.pageShift) << Self.pageShift | Int64(list &- Self.pageLists)
                spread(list)
                continue
            }
            let week: Int64
            if let list = firstWeekList() {
                let current = page >> Self.pageShift
                week = current &+ Int64((list &- Self.weekLists &- Int(truncatingIfNeeded: current)) & (Self.weekCount &- 1))
            } else {
                week = overflow[0].time >> (Self.secondShift + Self.pageShift)
            }
            page = week << Self.pageShift
            secondWord = Self.pageLists / 64
            while let far = overflow.first, far.time >> (Self.secondShift + Self.pageShift) &- week < Self.weekCount {
                popFar()
                place(far.slot, time: far.time)
            }
            spread(Self.weekLists &+ Int(truncatingIfNeeded: week) & (Self.weekCount &- 1))
        }
    }

    /// Empties `list` (a page's or a week's, now within reach) into the finer levels, in order.
    private mutating func spread(_ list: Int) {
        var slot = lists[list].head
        lists[list] = .empty
        bits[list &>> 6] &= ~(1 &<< UInt64(list & 63))
        earliest[list] = .max
        secondWord = Self.pageLists / 64
        while slot >= 0 {
            let next = links[Int(slot)].next
            place(slot, time: pool[Int(slot)].time)
            slot = next
        }
    }

    /// A copy of the memory for this value when another value shares it.
    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { grow(to: capacity) }
    }

    /// Memory of its own with room for `needed` slots (at least twice the capacity when growing).
    @inline(never)
    private mutating func grow(to needed: Int) {
        let larger = needed > capacity ? max(needed, capacity * 2) : capacity
        let copy = Storage(capacity: larger)
        copy.pool.update(from: pool, count: used)
        copy.links.update(from: links, count: used)
        copy.lists.update(from: lists, count: Self.listCount)
        copy.bits.update(from: bits, count: Self.listCount / 64)
        copy.earliest.update(from: earliest, count: Self.listCount)
        storage = copy
        (pool, links, lists, bits, earliest) = (copy.pool, copy.links, copy.lists, copy.bits, copy.earliest)
        capacity = larger
    }

    private mutating func pushFar(_ far: Far) {
        overflow.append(far)
        var child = overflow.count - 1
        while child > 0 {
            let parent = (child - 1) / 4
            guard far.order < overflow[parent].order else { break }
            overflow[child] = overflow[parent]
            child = parent
        }
        overflow[child] = far
    }

    private mutating func popFar() {
        let last = overflow.removeLast()
        guard !overflow.isEmpty else { return }
        var parent = 0
        while true {
            let first = 4 * parent + 1
            guard first < overflow.count else { break }
            var smallest = first
            for child in (first + 1)..<min(first + 4, overflow.count) where overflow[child].order < overflow[smallest].order {
                smallest = child
            }
            guard overflow[smallest].order < last.order else { break }
            overflow[parent] = overflow[smallest]
            parent = smallest
        }
        overflow[parent] = last
    }
}
