/// A row of `store_visits`: one visit of a visitor to a store.
public struct StoreVisit: DomainEvent, Equatable {
    public var visit: Int
    public var store: Int
    public var time: Int64
    public var visitor: Int
    public var entryPoint: String
    public var exitPoint: String
    public var dwellSeconds: Int
    public var tags: [String]

    public var visitID: String { "visit_\(visit)" }
    public var storeID: String { "store_\(store)" }
    public var visitorID: String { "visitor_\(visitor)" }

    /// The columns of `store_visits`, in the order `encode` writes them (`DatasourceColumnsTests`
    /// holds `encode` and `value(ofColumn:)` to this list).
    public static let columns = ["visit_id", "store_id", "timestamp", "visitor_id", "entry_point", "exit_point", "dwell_time_seconds", "tags"]

    /// The value of a String column as written, or nil for another column.
    public func value(ofColumn column: String) -> String? {
        switch column {
        case "visit_id": return visitID
        case "visitor_id": return visitorID
        case "store_id": return storeID
        case "entry_point": return entryPoint
        case "exit_point": return exitPoint
        default: return nil
        }
    }

    public func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.prefixedID("visit_id", "visit_", visit)
        encoder.prefixedID("store_id", "store_", store)
        encoder.timestamp("timestamp", timestamp ?? time)
        encoder.prefixedID("visitor_id", "visitor_", visitor)
        encoder.string("entry_point", entryPoint)
        encoder.string("exit_point", exitPoint)
        encoder.integer("dwell_time_seconds", dwellSeconds)
        encoder.stringArray("tags", tags)
        encoder.endRow()
    }
}

/// A visit as the stream holds it (`EventRecord`): entry and exit points as indexes into the
/// model's entry points, the tags as their set's bits (`FootTrafficModel.tagSets`).
public struct StoreVisitRecord: EventRecord {
    public var time: Int64
    var visit: Int
    var visitor: Int
    var dwellSeconds: Int
    var store: Int32
    var entryPoint: Int32
    var exitPoint: Int32
    var tags: Int32
}

/// The tags a visit can carry, in the order they are written.
public enum VisitTag {
    public static let loyaltyMember = "loyalty member"
    public static let weekdayShopper = "weekday shopper"
    public static let weekendShopper = "weekend shopper"
    public static let purchasing = "purchasing"
    public static let firstVisit = "first visit"
}
