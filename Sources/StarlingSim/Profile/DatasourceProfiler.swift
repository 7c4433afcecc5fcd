/// Profiles one datasource's rows — a file's bytes, or a generator's — given in chunks of any size:
/// the one code path behind `starling profile`, whichever the input. Only one of the three feeds is
/// set (optionals, not enum payloads, so a chunk mutates its feed in place).
public struct DatasourceProfiler {
    /// The datasources `profile` knows.
    public static let datasources = [StoreVisitsAccumulator.datasource, EcommerceAccumulator.datasource, TouchpointsAccumulator.datasource]

    public let datasource: String
    public let source: String
    let declared: DomainTargets
    /// Said about the input before the measurements' own notes (e.g. whose targets these are).
    public var notes: [String] = []
    var visits: RowFeed<StoreVisitsAccumulator>?
    var commerce: RowFeed<EcommerceAccumulator>?
    var touchpoints: RowFeed<TouchpointsAccumulator>?

    /// Nil for a datasource `profile` does not know. `source` names the input in errors and output.
    public init?(datasource: String, format: ProfileFormat, source: String, declared: DomainTargets) {
        self.datasource = datasource
        self.source = source
        self.declared = declared
        switch datasource {
        case StoreVisitsAccumulator.datasource:
            visits = RowFeed(accumulator: StoreVisitsAccumulator(declared: declared), format: format, source: source)
        case EcommerceAccumulator.datasource:
            commerce = RowFeed(accumulator: EcommerceAccumulator(declared: declared), format: format, source: source)
        case TouchpointsAccumulator.datasource:
            touchpoints = RowFeed(accumulator: TouchpointsAccumulator(declared: declared), format: format, source: source)
        default:
            return nil
        }
    }

    /// Rows read so far.
    public var rows: Int { visits?.rows ?? commerce?.rows ?? touchpoints?.rows ?? 0 }

    /// Reads the complete records of `chunk` (a record it cuts waits for the next chunk).
    public mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>) throws(ProfileInputError) {
        try visits?.consume(chunk)
        try commerce?.consume(chunk)
        try touchpoints?.consume(chunk)
    }

    /// Reads what is left and measures.
    public mutating func finish() throws(ProfileInputError) -> DatasourceProfile {
        var profile: DatasourceProfile
        if visits != nil {
            profile = try Self.profile(&visits!, source: source, declared: declared)
        } else if commerce != nil {
            profile = try Self.profile(&commerce!, source: source, declared: declared)
        } else {
            profile = try Self.profile(&touchpoints!, source: source, declared: declared)
        }
        profile.notes.insert(contentsOf: notes, at: 0)
        return profile
    }

    static func profile<A: RowAccumulator>(_ feed: inout RowFeed<A>, source: String, declared: DomainTargets) throws(ProfileInputError) -> DatasourceProfile {
        let measured = try feed.finish()
        var byName: [String: Statistic] = [:]
        for statistic in measured.statistics { byName[statistic.name] = statistic }
        let targets = declared.targets.map { target in
            TargetCheck(target, measured: byName[target.name] ?? A.unlisted(target.name, in: measured))
        }
        let named = Set(declared.targets.map(\.name))
        var notes = measured.notes
        if declared.datasource != A.datasource {
            notes.insert("the targets given are for \(declared.datasource), not \(A.datasource)", at: 0)
        }
        return DatasourceProfile(
            datasource: A.datasource, source: source, rows: feed.rows,
            first: measured.first.map(ProfileTime.text), last: measured.last.map(ProfileTime.text), counts: measured.counts,
            targets: targets, statistics: measured.statistics.filter { !named.contains($0.name) },
            impossibilities: measured.impossibilities, notes: notes)
    }
}
