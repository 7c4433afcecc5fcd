import StarlingSim

/// What the data of a run looks like, for drawing check plans from it: per datasource the seconds
/// that hold events (with how many) and, for the columns the pipes filter on, each value's count.
/// Memory grows with distinct seconds and values, not with events.
public struct DataProfile: Sendable {
    public struct Datasource: Sendable {
        public var events = 0
        public var seconds: [Int64: Int] = [:]
        public var values: [String: [String: Int]] = [:]
    }

    /// Columns whose values are counted, per datasource.
    public let columns: [String: [String]]
    public private(set) var datasources: [String: Datasource] = [:]

    public init(columns: [String: [String]]) {
        self.columns = columns
    }

    public mutating func add(datasource: String, _ event: GeneratedEvent) {
        var profile = datasources.removeValue(forKey: datasource) ?? Datasource()
        profile.events += 1
        profile.seconds[event.time, default: 0] += 1
        for column in columns[datasource] ?? [] {
            if let value = event.value(ofColumn: column) { profile.values[column, default: [:]][value, default: 0] += 1 }
        }
        datasources[datasource] = profile
    }

    /// The seconds holding events of `datasource`, ascending.
    public func seconds(of datasource: String) -> [Int64] {
        (datasources[datasource]?.seconds.keys).map { $0.sorted() } ?? []
    }

    /// The values of a column by descending count (ties by value), with their counts.
    public func values(of column: String, in datasource: String) -> [(value: String, count: Int)] {
        (datasources[datasource]?.values[column] ?? [:]).map { ($0.key, $0.value) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}
