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

    /// The fraction of the peak rate at which sessions start (0…1) at a second of a day (UTC), on a
    /// weekend day (Saturday, Sunday) or not: a function of these two alone. The stream follows the
    /// day of its candidate arrivals, so it asks without any calendar arithmetic per candidate.
    func intensity(secondOfDay: Int, weekend: Bool) -> Double

    /// Generates session `index` starting at `start`, appending its events in time order, none
    /// before `start`. Returns the entity the session belongs to (for sharding).
    mutating func session(index: Int, start: Int64, seed: UInt64, into records: inout [Record]) -> Int

    /// The public event of a record.
    func event(_ record: Record) -> Event

    /// Writes a record: exactly the bytes `event(record).encode(into:timestamp:)` writes.
    func encode(_ record: Record, into encoder: inout some RowEncoder, timestamp: Int64?)
}

extension DomainModel {
    /// The fraction of the peak rate at which sessions start at Unix second `t` (0…1).
    public func intensity(at t: Int64) -> Double {
        intensity(secondOfDay: CivilTime.secondOfDay(epochSeconds: t), weekend: CivilTime.weekday(epochSeconds: t) >= 5)
    }
}
