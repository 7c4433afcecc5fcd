/// Sessions whose events are not all emitted yet, merged by a 4-ary min-heap on each session's
/// next event: (time, session index). Four children per key halve the depth of a binary heap, and
/// they sit side by side (two cache lines): with thousands of sessions open a pop walked a dozen
/// levels of misses. The order is total (a session's index is unique), so any correct heap gives
/// the same sequence.
///
/// The waiting records sit in one pool, in chunks of `chunkSize` consecutive records: a session
/// takes as many chunks as it needs (linked), and a chunk is reused once emptied. A heap key says
/// where its session's next record is and how many remain, so a pop reads the key, that record and
/// the chunk's small header, nothing else. With thousands of sessions open (journeys last days),
/// every extra access per pop (a slot, then its array's header) was a cache miss: two thirds of
/// the time of a pop when each session had its own array.
struct OpenSessions<Record: EventRecord>: Sendable {
    struct Key: Sendable {
        var time: Int64
        var session: Int
        /// Pool index of the session's next record.
        var position: Int
        /// Records of the session still waiting, that one included.
        var remaining: Int

        /// (time, session) as one number, in the same order: comparing two is then one comparison,
        /// without a branch (which of two keys comes first is as random as their times).
        @inline(__always)
        var order: UInt128 {
            UInt128(UInt64(bitPattern: time) ^ (1 << 63)) << 64 | UInt128(UInt(bitPattern: session))
        }

        @inline(__always)
        func precedes(_ other: Key) -> Bool { order < other.order }
    }

    /// A chunk's session's owner, and the chunk that holds the session's records after it.
    struct Chunk: Sendable {
        var next: Int
        var owner: Int
    }

    /// Records per chunk. Four, not eight: a journey's later sessions wait for days, and half-empty
    /// chunks of eight made the pool twice the size of L2 (cachegrind with L2 as the last level:
    /// 0.74 → 0.54 misses per touchpoint); a longer session links more chunks.
    static var chunkSize: Int { 4 }

    private var heap: [Key] = []
    private var pool: [Record] = []
    private var chunks: [Chunk] = []
    private var freeChunks: [Int] = []

    var peekTime: Int64? { heap.first?.time }
    var isEmpty: Bool { heap.isEmpty }

    /// Adds a session's events (in time order); an empty session is ignored.
    mutating func add(session: Int, events: ArraySlice<Record>, owner: Int) {
        guard let first = events.first else { return }
        let firstChunk = allocateChunk(owner: owner, filler: first)
        var chunk = firstChunk
        var position = firstChunk * Self.chunkSize
        for record in events {
            if position == (chunk + 1) * Self.chunkSize {
                let next = allocateChunk(owner: owner, filler: first)
                chunks[chunk].next = next
                chunk = next
                position = next * Self.chunkSize
            }
            pool[position] = record
            position += 1
        }
        push(Key(time: first.time, session: session, position: firstChunk * Self.chunkSize, remaining: events.count))
    }

    /// A free chunk for a session of `owner` (the pool grows by one chunk, filled with `filler`,
    /// when none is free).
    private mutating func allocateChunk(owner: Int, filler: Record) -> Int {
        if let chunk = freeChunks.popLast() {
            chunks[chunk] = Chunk(next: -1, owner: owner)
            return chunk
        }
        chunks.append(Chunk(next: -1, owner: owner))
        pool.append(contentsOf: repeatElement(filler, count: Self.chunkSize))
        return chunks.count - 1
    }

    /// Removes and returns the earliest pending event; the heap must not be empty.
    mutating func pop() -> (record: Record, owner: Int) {
        let key = heap[0]
        let record = pool[key.position]
        let chunk = key.position / Self.chunkSize
        let owner = chunks[chunk].owner
        if key.remaining > 1 {
            var next = key.position + 1
            if next % Self.chunkSize == 0 {
                next = chunks[chunk].next * Self.chunkSize
                freeChunks.append(chunk)
            }
            heap[0].position = next
            heap[0].remaining = key.remaining - 1
            heap[0].time = pool[next].time
            siftDown(0)
        } else {
            freeChunks.append(chunk)
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            if !heap.isEmpty { siftDown(0) }
        }
        return (record, owner)
    }

    private mutating func push(_ key: Key) {
        heap.append(key)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 4
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Moves the key at `start` down to its place: the hole moves, the key is written once.
    private mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            let key = heap[start]
            var parent = start
            while true {
                let first = 4 &* parent &+ 1
                guard first < heap.count else { break }
                var smallest = first
                for child in (first &+ 1)..<min(first &+ 4, heap.count) {
                    smallest = heap[child].precedes(heap[smallest]) ? child : smallest
                }
                guard heap[smallest].precedes(key) else { break }
                heap[parent] = heap[smallest]
                parent = smallest
            }
            heap[parent] = key
        }
    }
}
