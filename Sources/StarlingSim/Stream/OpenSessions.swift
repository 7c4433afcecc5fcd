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
/// A list is a chain of chunks of `chunkSize` records, stored in the chunk in arrival order: a
/// list is read and written front to back, a chunk at a time, not one random record after another.
/// With hundreds of thousands of journeys open (customer-journey), the records waiting are tens of
/// megabytes; a list per record slot (linked records) made each pop and each move between levels
/// a cache miss, where a chunk's records now share its lines, the tails being written stay in
/// cache, and a freed chunk (just read) is the next one written.
///
/// The memory is raw (the chunks' records, their owners and links, the lists and bitmaps), owned by
/// `storage` and copied when a copy of the wheel is changed (`makeUnique`, once per add or pop):
/// the wheel is a value like an array, without an array's uniqueness and bounds checks on each access.
/// Not `Sendable` (nor the streams holding it): a stream is made and consumed on one thread, and
/// raw memory shared between copies is not something the compiler can check across threads.
struct OpenSessions<Record: EventRecord> {
    /// A list of records: its first chunk and the position of its first record there, its last
    /// chunk and how many records that one holds (-1: no chunk).
    struct List {
        var head: Int32
        var tail: Int32
        var first: Int32
        var filled: Int32

        static var empty: List { List(head: -1, tail: -1, first: 0, filled: 0) }
    }

    /// An event in the overflow heap: (time, order added) as one number, the event and its owner.
    struct Far {
        var order: UInt128
        var record: Record
        var owner: Int32

        init(_ record: Record, owner: Int32, added: Int) {
            order = UInt128(UInt64(bitPattern: record.time) ^ (1 << 63)) << 64 | UInt128(UInt(bitPattern: added))
            self.record = record
            self.owner = owner
        }
    }

    /// Owns the raw memory (the struct keeps the pointers, so that using them is not an access to
    /// a class's property).
    final class Storage {
        let records: UnsafeMutablePointer<Record>
        let owners: UnsafeMutablePointer<Int32>
        let links: UnsafeMutablePointer<Int32>
        let lists: UnsafeMutablePointer<List>
        let bits: UnsafeMutablePointer<UInt64>
        let earliest: UnsafeMutablePointer<Int64>

        init(chunks: Int) {
            records = .allocate(capacity: chunks * OpenSessions.chunkSize)
            owners = .allocate(capacity: chunks * OpenSessions.chunkSize)
            links = .allocate(capacity: chunks)
            lists = .allocate(capacity: OpenSessions.listCount)
            lists.initialize(repeating: .empty, count: OpenSessions.listCount)
            bits = .allocate(capacity: OpenSessions.listCount / 64)
            bits.initialize(repeating: 0, count: OpenSessions.listCount / 64)
            earliest = .allocate(capacity: OpenSessions.listCount)
            earliest.initialize(repeating: .max, count: OpenSessions.listCount)
        }

        deinit {
            records.deallocate()
            owners.deallocate()
            links.deallocate()
            lists.deallocate()
            bits.deallocate()
            earliest.deallocate()
        }
    }

    /// Records per chunk.
    static var chunkSize: Int { 16 }
    /// log2 of the seconds in a page, of the pages in a week; weeks in the ring.
    static var secondShift: Int64 { 10 }
    static var pageShift: Int64 { 8 }
    static var weekCount: Int { 256 }
    /// Where each level's lists (and bits) start: seconds, then pages, then weeks.
    static var pageLists: Int { 1 << secondShift }
    static var weekLists: Int { pageLists + 1 << pageShift }
    static var listCount: Int { weekLists + weekCount }

    private var storage: Storage
    /// Chunk `c` holds `records[c * chunkSize ..< (c + 1) * chunkSize]` and their owners; `links[c]`
    /// is the next chunk of its list, or of the free list.
    private var records: UnsafeMutablePointer<Record>
    private var owners: UnsafeMutablePointer<Int32>
    private var links: UnsafeMutablePointer<Int32>
    private var lists: UnsafeMutablePointer<List>
    private var bits: UnsafeMutablePointer<UInt64>
    /// The earliest time in each page's and week's list (`.max`: empty).
    private var earliest: UnsafeMutablePointer<Int64>
    private var capacity: Int
    /// Chunks ever used (0..<used); those in no list are in the free list.
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
        capacity = 64
        storage = Storage(chunks: capacity)
        (records, owners, links, lists, bits, earliest) =
            (storage.records, storage.owners, storage.links, storage.lists, storage.bits, storage.earliest)
        page = start >> Self.secondShift
    }

    var peekTime: Int64? { count == 0 ? nil : nextTime }
    var isEmpty: Bool { count == 0 }

    /// Adds a session's events (in time order); an empty session is ignored.
    mutating func add(events: ArraySlice<Record>, owner: Int) {
        guard let first = events.first else { return }
        makeUnique()
        let owner = Int32(truncatingIfNeeded: owner)
        for record in events {
            place(record, owner: owner)
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
        var list = lists[second]
        let position = Int(list.head) &* Self.chunkSize &+ Int(list.first)
        let record = records[position], owner = owners[position]
        list.first &+= 1
        let emptied = list.head == list.tail && list.first == list.filled
        if emptied {
            release(list.head)
            lists[second] = .empty
            bits[word] &= bits[word] &- 1  // the lowest set bit is this second's
        } else {
            if list.first == Self.chunkSize {
                let next = links[Int(list.head)]
                release(list.head)
                list.head = next
                list.first = 0
            }
            lists[second] = list
        }
        inSeconds &-= 1
        count &-= 1
        if !emptied {
            nextTime = record.time
        } else if inSeconds > 0 {
            while bits[word] == 0 { word &+= 1 }
            nextTime = page &<< Self.secondShift | Int64(word &<< 6 | bits[word].trailingZeroBitCount)
        } else {
            nextTime = laterTime()
        }
        return (record, Int(owner))
    }

    /// Appends a record to its second's, page's or week's list, or puts it in the overflow.
    @inline(__always)
    private mutating func place(_ record: Record, owner: Int32) {
        let time = record.time
        let recordPage = time >> Self.secondShift
        let list: Int
        if recordPage == page {
            list = Int(truncatingIfNeeded: time) & (Self.pageLists &- 1)
            inSeconds &+= 1
            secondWord = min(secondWord, list &>> 6)
        } else {
            let recordWeek = recordPage >> Self.pageShift, week = page >> Self.pageShift
            if recordWeek == week {
                list = Self.pageLists &+ Int(truncatingIfNeeded: recordPage) & (1 &<< Int(Self.pageShift) &- 1)
            } else if recordWeek &- week < Self.weekCount {
                list = Self.weekLists &+ Int(truncatingIfNeeded: recordWeek) & (Self.weekCount &- 1)
            } else {
                pushFar(Far(record, owner: owner, added: added))
                return
            }
            earliest[list] = min(earliest[list], time)
        }
        var tail = lists[list]
        if tail.tail < 0 || tail.filled == Self.chunkSize {
            let chunk = allocate()
            links[Int(chunk)] = -1
            if tail.tail < 0 {
                tail = List(head: chunk, tail: chunk, first: 0, filled: 0)
                bits[list &>> 6] |= 1 &<< UInt64(list & 63)
            } else {
                links[Int(tail.tail)] = chunk
                tail.tail = chunk
                tail.filled = 0
            }
        }
        let position = Int(tail.tail) &* Self.chunkSize &+ Int(tail.filled)
        records[position] = record
        owners[position] = owner
        tail.filled &+= 1
        lists[list] = tail
    }

    /// A chunk from the free list (the last one emptied), or a new one.
    @inline(__always)
    private mutating func allocate() -> Int32 {
        if free >= 0 {
            let chunk = free
            free = links[Int(chunk)]
            return chunk
        }
        if used == capacity { grow(to: capacity * 2) }
        used &+= 1
        return Int32(truncatingIfNeeded: used &- 1)
    }

    @inline(__always)
    private mutating func release(_ chunk: Int32) {
        links[Int(chunk)] = free
        free = chunk
    }

    /// The earliest time in the pages, weeks or overflow (the seconds are empty).
    private func laterTime() -> Int64 {
        if let list = firstPageList() ?? firstWeekList() { return earliest[list] }
        return overflow.first?.record.time ?? .max
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
                week = overflow[0].record.time >> (Self.secondShift + Self.pageShift)
            }
            page = week << Self.pageShift
            secondWord = Self.pageLists / 64
            while let far = overflow.first, far.record.time >> (Self.secondShift + Self.pageShift) &- week < Self.weekCount {
                popFar()
                place(far.record, owner: far.owner)
            }
            spread(Self.weekLists &+ Int(truncatingIfNeeded: week) & (Self.weekCount &- 1))
        }
    }

    /// Empties `list` (a page's or a week's, now within reach) into the finer levels, in order,
    /// a chunk at a time; each chunk is freed once read.
    private mutating func spread(_ list: Int) {
        let spreading = lists[list]
        lists[list] = .empty
        bits[list &>> 6] &= ~(1 &<< UInt64(list & 63))
        earliest[list] = .max
        secondWord = Self.pageLists / 64
        var chunk = spreading.head, first = Int(spreading.first)
        while chunk >= 0 {
            let end = chunk == spreading.tail ? Int(spreading.filled) : Self.chunkSize
            let base = Int(chunk) &* Self.chunkSize
            for position in (base &+ first)..<(base &+ end) {
                place(records[position], owner: owners[position])
            }
            let next = links[Int(chunk)]
            release(chunk)
            chunk = next
            first = 0
        }
    }

    /// A copy of the memory for this value when another value shares it.
    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { grow(to: capacity) }
    }

    /// Memory of its own with room for `chunks` chunks (at least the capacity).
    @inline(never)
    private mutating func grow(to chunks: Int) {
        let larger = max(chunks, capacity)
        let copy = Storage(chunks: larger)
        copy.records.update(from: records, count: used * Self.chunkSize)
        copy.owners.update(from: owners, count: used * Self.chunkSize)
        copy.links.update(from: links, count: used)
        copy.lists.update(from: lists, count: Self.listCount)
        copy.bits.update(from: bits, count: Self.listCount / 64)
        copy.earliest.update(from: earliest, count: Self.listCount)
        storage = copy
        (records, owners, links, lists, bits, earliest) = (copy.records, copy.owners, copy.links, copy.lists, copy.bits, copy.earliest)
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
