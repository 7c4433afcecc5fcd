import StarlingProject
import StarlingSim

/// What the data of a run looks like, for drawing check plans from it: per datasource the seconds
/// that hold events (with how many) and, for the columns the pipes filter on, each value's count
/// and a few seconds holding that value's events. Memory grows with distinct seconds and values,
/// not with events.
public struct DataProfile: Sendable {
    public struct Datasource: Sendable {
        public var events = 0
        public var seconds: [Int64: Int] = [:]
        public var values: [String: [String: Occurrences]] = [:]
    }

    /// Where one value of a column occurs: how often, its first and last second, and one second in
    /// between chosen by a hash of the second (so it does not depend on the order events arrive).
    public struct Occurrences: Sendable, Equatable {
        public var count = 0
        public var first = Int64.max
        public var last = Int64.min
        public var picked = Int64.min
        var pickedHash = UInt64.max

        mutating func add(_ second: Int64) {
            count += 1
            first = min(first, second)
            last = max(last, second)
            var h = UInt64(bitPattern: second) &+ 0x9E37_79B9_7F4A_7C15
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            if h < pickedHash || (h == pickedHash && second < picked) {
                pickedHash = h
                picked = second
            }
        }
    }

    /// Columns whose values are counted, per datasource.
    public let columns: [String: [String]]
    /// The column holding each datasource's event time (the one date parameters bound).
    public let timeColumns: [String: String]
    public private(set) var datasources: [String: Datasource] = [:]

    public init(columns: [String: [String]], timeColumns: [String: String] = DatasourceColumns.timeColumn) {
        self.columns = columns
        self.timeColumns = timeColumns
    }

    /// The column a String (or Array) parameter's values come from: the column the SQL compares it
    /// with, or (when that is an alias, such as a node's `landing_page`) the column it is named after.
    public func column(for parameter: PipeParameter, in datasource: String) -> String? {
        let counted = columns[datasource] ?? []
        return parameter.candidateColumns.first(where: counted.contains) ?? parameter.equalsColumn
    }

    public mutating func add(datasource: String, _ event: GeneratedEvent) {
        var profile = datasources.removeValue(forKey: datasource) ?? Datasource()
        profile.events += 1
        profile.seconds[event.time, default: 0] += 1
        for column in columns[datasource] ?? [] {
            if let value = event.value(ofColumn: column) { profile.values[column, default: [:]][value, default: Occurrences()].add(event.time) }
        }
        datasources[datasource] = profile
    }

    /// The seconds holding events of `datasource`, ascending.
    public func seconds(of datasource: String) -> [Int64] {
        (datasources[datasource]?.seconds.keys).map { $0.sorted() } ?? []
    }

    /// The values of a column by descending count (ties by value), with where they occur.
    public func values(of column: String, in datasource: String) -> [(value: String, occurrences: Occurrences)] {
        (datasources[datasource]?.values[column] ?? [:]).map { ($0.key, $0.value) }
            .sorted { $0.1.count != $1.1.count ? $0.1.count > $1.1.count : $0.0 < $1.0 }
    }
}
