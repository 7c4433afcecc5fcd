/// A row of `customer_touchpoints`: one interaction of a customer on a channel.
public struct Touchpoint: DomainEvent, Equatable {
    public var customer: Int
    public var journey: Int
    /// The session's number within its journey (1-based).
    public var sessionNumber: Int
    public var time: Int64
    /// The touchpoint's number within its journey (1-based).
    public var step: Int
    public var kind: TouchpointKind
    public var channel: String
    public var device: String
    public var campaignID: String
    public var transactionAmount: Double
    public var referrer: String
    public var pageURL: String
    public var timeSpent: Int
    /// A JSON object as a string: `{"product_id":"prod_7","category":"electronics"}`.
    public var metadata: EncodedText

    public var conversion: Int { kind == .purchase ? 1 : 0 }
    public var customerID: String { "cust_\(customer)" }
    public var sessionID: String { "sess_\(journey)_\(sessionNumber)" }
    public var touchpointID: String { "tp_\(journey)_\(step)" }

    public func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.prefixedID("customer_id", "cust_", customer)
        encoder.prefixedIDPair("session_id", "sess_", journey, sessionNumber)
        encoder.timestamp("timestamp", timestamp ?? time)
        encoder.prefixedIDPair("touchpoint_id", "tp_", journey, step)
        encoder.string("touchpoint_type", kind.rawValue)
        encoder.string("channel", channel)
        encoder.string("device", device)
        encoder.string("campaign_id", campaignID)
        encoder.integer("conversion", conversion)
        encoder.decimal2("transaction_amount", transactionAmount)
        encoder.string("referrer", referrer)
        encoder.string("page_url", pageURL)
        encoder.integer("time_spent", timeSpent)
        encoder.string("action", kind.action)
        encoder.encoded("metadata", metadata)
        encoder.endRow()
    }
}

/// A touchpoint as the stream holds it (`EventRecord`): its numbers, and its categorical values as
/// indexes into `JourneyModel.Tables`. 64 bytes (one cache line): journeys stay open for days, so
/// thousands of sessions' records wait in the open sessions' wheel, and each pop reads one.
public struct TouchpointRecord: EventRecord {
    public var time: Int64
    var journey: Int
    var customer: Int32
    var timeSpent: Int32
    var sessionNumber: Int32
    var step: Int32
    var product: Int32
    var channel: Int32
    var device: Int32
    /// 0: none; else the campaign's position in `JourneyModel.campaignNames` plus one.
    var campaign: Int32
    var referrer: Int32
    var page: Int32
    var kind: TouchpointKind
    /// The quantity of an add to cart and of the purchase that follows it (1...3), 0 for any other
    /// touchpoint: a purchase's amount is the product's price times it (`JourneyModel.amount`).
    var quantity: UInt8
}

/// The kinds of touchpoint, in funnel order, grouped into the journey stages awareness →
/// consideration → conversion. This is the one definition of the funnel: the generator's journeys
/// move through it, `touchpoint_funnel`'s oracle reads it, and the pipe's SQL encodes the same
/// order and stage boundaries (its DESCRIPTION lists them; a test compares).
public enum TouchpointKind: String, Sendable, CaseIterable, BitwiseCopyable {
    case adImpression = "ad_impression"
    case socialEngagement = "social_engagement"
    case emailOpen = "email_open"
    case search
    case adClick = "ad_click"
    case emailClick = "email_click"
    case pageView = "page_view"
    case productView = "product_view"
    case supportChat = "support_chat"
    case addToCart = "add_to_cart"
    case checkout
    case purchase

    public enum Stage: String, Sendable, CaseIterable { case awareness, consideration, conversion }

    /// The 1-based position in the funnel (`touchpoint_funnel`'s `funnel_step`).
    public var funnelStep: Int { position + 1 }

    /// The 0-based position in `allCases`, without building that array (the generator asks per event).
    var position: Int {
        switch self {
        case .adImpression: return 0
        case .socialEngagement: return 1
        case .emailOpen: return 2
        case .search: return 3
        case .adClick: return 4
        case .emailClick: return 5
        case .pageView: return 6
        case .productView: return 7
        case .supportChat: return 8
        case .addToCart: return 9
        case .checkout: return 10
        case .purchase: return 11
        }
    }

    public var stage: Stage {
        switch self {
        case .adImpression, .socialEngagement, .emailOpen, .search: return .awareness
        case .adClick, .emailClick, .pageView, .productView, .supportChat: return .consideration
        case .addToCart, .checkout, .purchase: return .conversion
        }
    }

    /// The `action` column.
    public var action: String {
        switch self {
        case .adImpression: return "impression"
        case .socialEngagement: return "engage"
        case .emailOpen: return "open"
        case .search: return "search"
        case .adClick, .emailClick: return "click"
        case .pageView, .productView: return "view"
        case .supportChat: return "chat"
        case .addToCart: return "add_to_cart"
        case .checkout: return "checkout"
        case .purchase: return "purchase"
        }
    }

    /// Typical seconds spent on this touchpoint (median of a log-normal).
    var medianSeconds: Double {
        switch self {
        case .adImpression: return 1
        case .socialEngagement: return 15
        case .emailOpen: return 20
        case .search: return 25
        case .adClick, .emailClick: return 1  // a click, then the page loads
        case .pageView: return 40
        case .productView: return 60
        case .supportChat: return 240
        case .addToCart: return 10
        case .checkout: return 90
        case .purchase: return 30
        }
    }
}
