import Dispatch
import Synchronization

/// A FIFO handing work from one producer thread to worker threads. `pop` blocks until an item or
/// the close; after `close()`, workers get what is left, then nil.
public final class WorkQueue<Item: Sendable>: Sendable {
    private struct State {
        /// Taken items are set to nil at once, so a queue never keeps a sent batch's body alive.
        var items: [Item?] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    public init() {}

    public func push(_ item: Item) {
        state.withLock { $0.items.append(item) }
        available.signal()
    }

    /// The next item; nil once the queue is closed and empty.
    public func pop() -> Item? {
        while true {
            available.wait()
            let item: Item?? = state.withLock { s in
                if s.head < s.items.count, let item = s.items[s.head] {
                    s.items[s.head] = nil
                    s.head += 1
                    if s.head > 1024 && s.head * 2 > s.items.count {
                        s.items.removeFirst(s.head)
                        s.head = 0
                    }
                    return .some(item)
                }
                return s.closed ? .some(nil) : nil
            }
            if let item {
                if item == nil { available.signal() }  // wake the next waiting worker too
                return item
            }
        }
    }

    /// No more items will come; waiting workers wake up.
    public func close() {
        state.withLock { $0.closed = true }
        available.signal()
    }

    /// Removes and returns everything not yet taken (items that will never be sent).
    public func drain() -> [Item] {
        state.withLock { s in
            let rest = s.items[s.head...].compactMap { $0 }
            s.items.removeAll()
            s.head = 0
            return rest
        }
    }

    public var count: Int { state.withLock { $0.items.count - $0.head } }
}
