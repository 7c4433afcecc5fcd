import StarlingSim

/// The registry of the 14 oracles: pipe name → datasource and factory.
public enum PipeOracles {
    /// The datasource of each pipe.
    public static let datasources: [String: String] = Dictionary(uniqueKeysWithValues: factories.map { ($0.key, $0.value.datasource) })

    /// All pipe names, sorted.
    public static var pipes: [String] { factories.keys.sorted() }

    /// The datasource a pipe reads, or nil for an unknown pipe.
    public static func datasource(of pipe: String) -> String? {
        datasources[pipe]
    }

    /// A fresh oracle for `pipe` with `parameters`, validated as the pipe's template would.
    public static func make(pipe: String, parameters: PipeParameters = PipeParameters()) throws(CheckError) -> AnyPipeOracle {
        guard let factory = factories[pipe] else { throw .unknownPipe(pipe) }
        return try factory.make(parameters)
    }

    struct Factory: Sendable {
        let datasource: String
        let make: @Sendable (PipeParameters) throws(CheckError) -> AnyPipeOracle

        static func visits<O: PipeOracle<StoreVisit>>(_ type: O.Type) -> (String, Factory) {
            (O.pipe, Factory(datasource: O.datasource) { p throws(CheckError) in AnyPipeOracle(visits: try O(parameters: p), parameters: p) })
        }

        static func commerce<O: PipeOracle<CommerceEvent>>(_ type: O.Type) -> (String, Factory) {
            (O.pipe, Factory(datasource: O.datasource) { p throws(CheckError) in AnyPipeOracle(commerce: try O(parameters: p), parameters: p) })
        }

        static func touchpoints<O: PipeOracle<Touchpoint>>(_ type: O.Type) -> (String, Factory) {
            (O.pipe, Factory(datasource: O.datasource) { p throws(CheckError) in AnyPipeOracle(touchpoints: try O(parameters: p), parameters: p) })
        }
    }

    static let factories: [String: Factory] = Dictionary(uniqueKeysWithValues: [
        Factory.visits(VisitorDetailsOracle.self),
        Factory.visits(HourlyTrafficPatternsOracle.self),
        Factory.visits(VisitsByStoreOracle.self),
        Factory.commerce(TopProductsOracle.self),
        Factory.commerce(EventsByCountryOracle.self),
        Factory.commerce(TotalRevenueOracle.self),
        Factory.touchpoints(CustomerJourneyDetailsOracle.self),
        Factory.touchpoints(TouchpointTimeAnalysisOracle.self),
        Factory.touchpoints(DeviceChannelAnalysisOracle.self),
        Factory.touchpoints(TouchpointFunnelOracle.self),
        Factory.touchpoints(CustomerJourneySummaryOracle.self),
        Factory.touchpoints(JourneyPathsOracle.self),
        Factory.touchpoints(ChannelPerformanceOracle.self),
        Factory.touchpoints(CampaignPerformanceOracle.self),
    ])
}

/// An oracle of any pipe, for a run engine that holds a list of (pipe, parameters) checks and feeds
/// each event to those of its datasource. Events of another datasource are ignored.
/// (Three optionals rather than an enum, so that `consume` mutates the oracle in place.)
public struct AnyPipeOracle: Sendable {
    public let pipe: String
    public let datasource: String
    public private(set) var parameters: PipeParameters
    /// The oracle's `roundedRatios`.
    public let roundedRatios: [String]
    private var visits: (any PipeOracle<StoreVisit>)?
    private var commerce: (any PipeOracle<CommerceEvent>)?
    private var touchpoints: (any PipeOracle<Touchpoint>)?

    init<O: PipeOracle<StoreVisit>>(visits oracle: O, parameters: PipeParameters) {
        (pipe, datasource, self.parameters, visits, roundedRatios) = (O.pipe, O.datasource, parameters, oracle, O.roundedRatios)
    }

    init<O: PipeOracle<CommerceEvent>>(commerce oracle: O, parameters: PipeParameters) {
        (pipe, datasource, self.parameters, commerce, roundedRatios) = (O.pipe, O.datasource, parameters, oracle, O.roundedRatios)
    }

    init<O: PipeOracle<Touchpoint>>(touchpoints oracle: O, parameters: PipeParameters) {
        (pipe, datasource, self.parameters, touchpoints, roundedRatios) = (O.pipe, O.datasource, parameters, oracle, O.roundedRatios)
    }

    public mutating func consume(_ event: StoreVisit) { visits?.consume(event) }
    public mutating func consume(_ event: CommerceEvent) { commerce?.consume(event) }
    public mutating func consume(_ event: Touchpoint) { touchpoints?.consume(event) }

    public func rows() -> [ExpectedRow] {
        visits?.rows() ?? commerce?.rows() ?? touchpoints?.rows() ?? []
    }

    /// This oracle, already fed, answering for `parameters` instead: they must differ from its own
    /// only in the pipe's LIMIT (the caller compares them). Validated as the template would (bad
    /// parameters throw); nil when the pipe has no limit. What a second pass over the events
    /// computed for each limit the plan derives from an answer, at the cost of a copy.
    public func relimited(to parameters: PipeParameters) throws(CheckError) -> AnyPipeOracle? {
        let fresh = try PipeOracles.make(pipe: pipe, parameters: parameters)
        guard let limit = fresh.rowLimit, rowLimit != nil else { return nil }
        var copy = self
        copy.parameters = parameters
        copy.visits?.rowLimit = limit
        copy.commerce?.rowLimit = limit
        copy.touchpoints?.rowLimit = limit
        return copy
    }

    var rowLimit: RowLimit? { visits?.rowLimit ?? commerce?.rowLimit ?? touchpoints?.rowLimit }

    public func result() -> ExpectedResult {
        visits?.result() ?? commerce?.result() ?? touchpoints?.result() ?? ExpectedResult(rows: [])
    }

    public func coverage() -> [String: Int] {
        visits?.coverage() ?? commerce?.coverage() ?? touchpoints?.coverage() ?? [:]
    }

    public var unsupportedReason: String? {
        visits?.unsupportedReason ?? commerce?.unsupportedReason ?? touchpoints?.unsupportedReason
    }
}
