/// One event of a datasource, as generated. `time` is its simulated Unix second.
public protocol DomainEvent: EncodableRow {
    var time: Int64 { get }
}

/// An event as the stream holds it between its session's generation and its turn to be written:
/// plain numbers and indexes into its model's tables, no `String` and no reference, so moving it
/// (into the open sessions' wheel and out) copies its bytes and nothing else. The model turns it into
/// the public event (`DomainModel.event(_:)`) or writes it straight away (`DomainModel.encode`).
public protocol EventRecord: BitwiseCopyable, Sendable {
    var time: Int64 { get }
}

/// A domain: how sessions arrive over the day, and which events one session produces.
/// A session is generated from its own random stream (scenario seed, session index), so it never
/// depends on how the work is split. State a model keeps between sessions must be per entity
/// (e.g. "has this visitor been seen"), so that a shard, which holds whole entities, sees the same.
public protocol DomainModel: Sendable {
    associatedtype Event: DomainEvent
    associatedtype Record: EventRecord

    /// The datasource the events go to (`store_visits`, …).
    static var datasource: String { get }

    /// Sessions per second at the busiest moment.
    var peakSessionsPerSecond: Double { get }

    /// The fraction of the peak rate at which sessions start (0…1) at a second of the UTC week
    /// (Monday 00:00 = 0): a function of it alone (people's local days and weekends are offsets into
    /// it). The stream follows the week of its candidate arrivals, so it asks without any calendar
    /// arithmetic per candidate.
    func intensity(secondOfWeek: Int) -> Double

    /// Generates session `index` starting at `start`, appending its events in time order, none
    /// before `start`. Returns the entity the session belongs to (for sharding).
    mutating func session(index: Int, start: Int64, seed: UInt64, into records: inout [Record]) -> Int

    /// Called when session `index`'s start is known, before it is generated: a model may ask the
    /// cache for what the session will read (see `PersonSchedule.prefetch`). Changes nothing.
    mutating func prepare(index: Int, start: Int64, seed: UInt64)

    /// The public event of a record.
    func event(_ record: Record) -> Event

    /// Writes a record: exactly the bytes `event(record).encode(into:timestamp:)` writes.
    func encode(_ record: Record, into encoder: inout some RowEncoder, timestamp: Int64?)
}

extension DomainModel {
    public mutating func prepare(index: Int, start: Int64, seed: UInt64) {}

    /// The fraction of the peak rate at which sessions start at Unix second `t` (0…1).
    public func intensity(at t: Int64) -> Double {
        intensity(secondOfWeek: PersonSchedule.secondOfWeek(t))
    }
}
