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

    /// The columns of `customer_touchpoints`, in the order `encode` writes them
    /// (`DatasourceColumnsTests` holds `encode` and `value(ofColumn:)` to this list).
    public static let columns = [
        "customer_id", "session_id", "timestamp", "touchpoint_id", "touchpoint_type", "channel", "device", "campaign_id",
        "conversion", "transaction_amount", "referrer", "page_url", "time_spent", "action", "metadata",
    ]

    /// The value of a String column as written, or nil for another column.
    public func value(ofColumn column: String) -> String? {
        switch column {
        case "customer_id": return customerID
        case "campaign_id": return campaignID
        case "channel": return channel
        case "device": return device
        case "touchpoint_type": return kind.rawValue
        case "session_id": return sessionID
        case "touchpoint_id": return touchpointID
        case "referrer": return referrer
        case "page_url": return pageURL
        case "action": return kind.action
        default: return nil
        }
    }

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
/// indexes into `JourneyModel.Tables`. 32 bytes (half a cache line): journeys stay open for days,
/// so hundreds of thousands of touchpoints wait in the open sessions' wheel, and every byte of a
/// record is written and read again there at least twice (when added, when spread to its second,
/// when popped). At 64 bytes the wheel of `customer-journey` did not fit in the L2 cache beside the
/// encoder's buffer, and a journey's touchpoint cost twice the parent's cache misses.
///
/// Packed, within bounds `JourneyConfig` enforces: the journey's number (40 bits: a trillion
/// journeys), its session's number and its step (12 bits each: `max_touchpoints` ≤ 4,000, and a
/// session holds at least one step) share one word; `time_spent` is at most 65,535 s (the model
/// draws it so); channels, devices and referrers are under 256 each, campaigns under 65,536. The
/// page is not stored: it follows from the kind, the campaign and the product (`JourneyModel.page`).
public struct TouchpointRecord: EventRecord {
    public var time: Int64
    /// The journey (bits 24…63), the session's number in it (bits 12…23) and the step (bits 0…11).
    var ids: UInt64
    var customer: Int32
    var product: Int32
    var timeSpent: UInt16
    /// 0: none; else the campaign's position in `JourneyModel.campaignNames` plus one.
    var campaign: UInt16
    var channel: UInt8
    var device: UInt8
    var referrer: UInt8
    /// The kind's `position` (bits 0…3) and, for an add to cart and the purchase that follows it,
    /// the quantity (1...3, bits 4…5; 0 for any other touchpoint): a purchase's amount is the
    /// product's price times it (`JourneyModel.amount`).
    var kindAndQuantity: UInt8

    static let journeyShift: UInt64 = 24
    static let numberBits: UInt64 = 12
    static let numberMask: UInt64 = (1 << numberBits) - 1

    init(time: Int64, journey: Int, customer: Int32, timeSpent: UInt16, sessionNumber: Int32, step: Int32,
         product: Int32, channel: Int32, device: Int32, campaign: Int32, referrer: Int32, kind: TouchpointKind, quantity: UInt8) {
        self.time = time
        ids = UInt64(truncatingIfNeeded: journey) << Self.journeyShift
            | (UInt64(truncatingIfNeeded: sessionNumber) & Self.numberMask) << Self.numberBits
            | UInt64(truncatingIfNeeded: step) & Self.numberMask
        self.customer = customer
        self.product = product
        self.timeSpent = timeSpent
        self.campaign = UInt16(truncatingIfNeeded: campaign)
        self.channel = UInt8(truncatingIfNeeded: channel)
        self.device = UInt8(truncatingIfNeeded: device)
        self.referrer = UInt8(truncatingIfNeeded: referrer)
        kindAndQuantity = UInt8(truncatingIfNeeded: kind.position) | quantity << 4
    }

    var journey: Int { Int(truncatingIfNeeded: ids >> Self.journeyShift) }
    var sessionNumber: Int32 { Int32(truncatingIfNeeded: ids >> Self.numberBits & Self.numberMask) }
    var step: Int32 { Int32(truncatingIfNeeded: ids & Self.numberMask) }
    /// `kind.position`, without a conversion.
    var kindPosition: Int { Int(kindAndQuantity & 15) }
    var kind: TouchpointKind { TouchpointKind(position: kindPosition) }
    var quantity: UInt8 { kindAndQuantity >> 4 }
    var isPurchase: Bool { kindPosition == TouchpointKind.purchase.position }
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

    /// The kind at `position` in `allCases` (`position` is 0...11).
    init(position: Int) {
        switch position {
        case 0: self = .adImpression
        case 1: self = .socialEngagement
        case 2: self = .emailOpen
        case 3: self = .search
        case 4: self = .adClick
        case 5: self = .emailClick
        case 6: self = .pageView
        case 7: self = .productView
        case 8: self = .supportChat
        case 9: self = .addToCart
        case 10: self = .checkout
        default: self = .purchase
        }
    }

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
