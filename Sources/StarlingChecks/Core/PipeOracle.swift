import StarlingSim

/// The expected answer of one pipe for one parameter combination, computed from the events sent.
/// An oracle mirrors the pipe's template (parameter defaults, `defined()`, inclusive bounds, LIMIT,
/// HAVING, rounding) in Swift, independently of its SQL. Its memory is bounded by key cardinality
/// (visitors, stores, customers, paths…), never by the number of events.
///
/// Feed every event of the datasource that the target acknowledged, with `time` set to the timestamp
/// actually written (live mode replaces it). The order of `consume` calls does not matter, except
/// for the path pipes (`touchpoint_time_analysis`, `journey_paths`), which need each customer's
/// events in non-decreasing time and report `unsupportedReason` when that does not hold.
public protocol PipeOracle<Event>: Sendable {
    associatedtype Event: DomainEvent

    /// The pipe's name, e.g. `top_products`.
    static var pipe: String { get }
    /// The datasource it reads.
    static var datasource: String { get }

    /// Validates `parameters` as the template would (bad types and missing required ones throw).
    init(parameters: PipeParameters) throws(CheckError)

    mutating func consume(_ event: Event)

    /// The rows the pipe must return, in its ORDER BY, after LIMIT.
    func rows() -> [ExpectedRow]

    /// The rows with the choices the ORDER BY leaves the target (default: none).
    func result() -> ExpectedResult

    /// The LIMIT its rows are cut to, for an oracle whose pipe has one (nil: none). The limit
    /// applies to the answer only, never to what is consumed: a fed oracle given another limit
    /// answers as one fed the same events with that limit from the start would.
    var rowLimit: RowLimit? { get set }

    /// Why the oracle cannot give an exact answer for what it consumed, or nil when it can.
    var unsupportedReason: String? { get }

    /// The rare cases the pipe's semantics depend on (ties its ORDER BY must break, entities that
    /// hit a branch of the SQL…), each with how often the data it consumed exercised it. A case
    /// the data never exercised is one a wrong pipe could get wrong unnoticed.
    func coverage() -> [String: Int]

    /// Columns computed as `round(ratio, 2)` (averages, percentages): the data should hold a value
    /// whose rounding shows, or a dropped or coarser `round` passes unseen. (Not sums of amounts
    /// with two decimals: their rounding never shows.)
    static var roundedRatios: [String] { get }
}

extension PipeOracle {
    public var rowLimit: RowLimit? {
        get { nil }
        set {}  // swiftlint:disable:this unused_setter_value
    }

    public var unsupportedReason: String? { nil }

    public func coverage() -> [String: Int] { [:] }

    public static var roundedRatios: [String] { [] }

    public func result() -> ExpectedResult { ExpectedResult(rows: rows()) }
}
