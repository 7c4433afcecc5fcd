/// A row of `ecommerce_events`.
public struct CommerceEvent: DomainEvent, Equatable {
    public enum Kind: String, Sendable, CaseIterable, BitwiseCopyable {
        case view
        case addToCart = "add_to_cart"
        case removeFromCart = "remove_from_cart"
        case purchase
    }

    public var time: Int64
    public var kind: Kind
    public var user: Int
    public var product: Int
    public var category: String
    public var price: Double
    public var quantity: Int
    public var session: Int
    public var country: String
    /// A session that is a customer journey's visit (`journey_visits`): its number in the journey
    /// (`session` is then the journey's), 0 for the shop's own sessions.
    public var sessionPart = 0

    public var userID: String { "user_\(user)" }
    public var productID: String { "prod_\(product)" }
    public var sessionID: String { sessionPart == 0 ? "session_\(session)" : "session_j\(session)_\(sessionPart)" }

    /// The columns of `ecommerce_events`, in the order `encode` writes them (`DatasourceColumnsTests`
    /// holds `encode` and `value(ofColumn:)` to this list).
    public static let columns = ["event_time", "event_type", "user_id", "product_id", "category", "price", "quantity", "session_id", "country"]

    /// The value of a String column as written, or nil for another column.
    public func value(ofColumn column: String) -> String? {
        switch column {
        case "user_id": return userID
        case "product_id": return productID
        case "country": return country
        case "category": return category
        case "event_type": return kind.rawValue
        case "session_id": return sessionID
        default: return nil
        }
    }

    public func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.timestamp("event_time", timestamp ?? time)
        encoder.string("event_type", kind.rawValue)
        encoder.prefixedID("user_id", "user_", user)
        encoder.prefixedID("product_id", "prod_", product)
        encoder.string("category", category)
        encoder.decimal2("price", price)
        encoder.integer("quantity", quantity)
        if sessionPart == 0 {
            encoder.prefixedID("session_id", "session_", session)
        } else {
            encoder.prefixedIDPair("session_id", "session_j", session, sessionPart)
        }
        encoder.string("country", country)
        encoder.endRow()
    }
}

/// An e-commerce event as the stream holds it (`EventRecord`): the product's category and price are
/// the model's (by product), the country an index into the model's countries.
public struct CommerceRecord: EventRecord {
    public var time: Int64
    var user: Int
    /// The product's index (0-based: its id's number minus one).
    var product: Int
    var quantity: Int
    var session: Int
    var country: Int32
    /// 0 for the shop's own sessions; a journey visit's number in its journey (`CommerceEvent.sessionPart`).
    var sessionPart: Int32 = 0
    var kind: CommerceEvent.Kind
}

extension CommerceEvent.Kind {
    /// The 0-based position in `allCases`.
    var position: Int {
        switch self {
        case .view: return 0
        case .addToCart: return 1
        case .removeFromCart: return 2
        case .purchase: return 3
        }
    }
}
