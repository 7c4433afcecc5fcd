/// The load `init` writes for a project, sized so that a run against the bundled local target (two
/// ClickHouse connections on a 2-core machine, beside Starling itself) stays valid however many
/// endpoints and materialized views the project has: the queries share a fixed budget per second,
/// and each materialized view makes every insert dearer, so batches wait longer to grow.
public struct InitLoad: Sendable, Equatable {
    /// Queries per second over all endpoints together.
    public static let queryBudget = 12.0
    public static let eventsPerSecond = 200.0

    public var endpoints: Int
    public var materializations: Int

    public init(endpoints: Int, materializations: Int) {
        self.endpoints = endpoints
        self.materializations = materializations
    }

    public var eventsPerSecond: Double { Self.eventsPerSecond }

    /// Each endpoint's rate: 1 per second, less when the endpoints together would pass the budget
    /// (two decimals).
    public var queryRate: Double {
        guard endpoints > 0 else { return 1 }
        return min(1, (Self.queryBudget / Double(endpoints) * 100).rounded(.down) / 100)
    }

    /// How long a batch waits to fill: 100 ms, and 100 ms more per materialized view past the
    /// second (each insert runs every view once), up to 1 s.
    public var lingerMilliseconds: Int { min(1000, 100 * (1 + max(0, materializations - 2))) }

    /// The sizing, said in the scenario's description.
    public var reason: String {
        let queries = endpoints == 0 ? "the project has no endpoint, so nothing is queried"
            : "\(endpoints) endpoint\(endpoints == 1 ? "" : "s") at \(SpecLiteral.text(of: queryRate)) queries/s each (at most \(SpecLiteral.text(of: Self.queryBudget)) in all)"
        return "Load sized for the bundled local target: \(queries), \(SpecLiteral.text(of: Self.eventsPerSecond)) events/s in batches that wait up to \(lingerMilliseconds) ms (\(materializations) materialized view\(materializations == 1 ? "" : "s") run on every insert)."
    }
}
