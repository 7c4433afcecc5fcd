import StarlingChecks
import StarlingRun
import StarlingSim

/// `visitor_details` returns `groupArray`s whose element order SQL leaves undefined; its oracle
/// keeps them as multisets. An exact `tb test` needs one order: the one a fresh target reads a
/// fixture in. Loaded by one insert into one part (one month; measured exact on the
/// local target up to 33k rows, several granules), the
/// table is read in its sorting key order, `store_id, timestamp`, ties in insertion order (the
/// insert's sort is stable), and `groupArray` appends in that order.
struct VisitorDetailsStorageOrder {
    struct Visit {
        var storeID: String
        var time: Int64
        var entryPoint: String
        var tags: [String]
    }

    /// The visits of the visitors asked for, in fixture (insertion) order.
    private(set) var visits: [String: [Visit]] = [:]

    init(visitors: Set<String>) {
        for id in visitors { visits[id] = [] }
    }

    mutating func consume(_ visit: StoreVisit) {
        let id = visit.visitorID
        guard visits[id] != nil else { return }
        visits[id]?.append(Visit(storeID: visit.storeID, time: visit.time, entryPoint: visit.entryPoint, tags: visit.tags))
    }

    /// `rows` with each visitor's arrays in storage order, keeping only visits in `parameters`'
    /// window. A row whose visits do not add up to its `total_visits` is left as the oracle gave it.
    func ordered(_ rows: [ExpectedRow], parameters: PipeParameters) -> [ExpectedRow] {
        let start = parameters["start_date"].flatMap { CivilTime(parsing: $0)?.epochSeconds }
        let end = parameters["end_date"].flatMap { CivilTime(parsing: $0)?.epochSeconds }
        let window = TimeWindow(start: start, end: end)
        return rows.map { row in
            guard case .string(let id)? = row["visitor_id"], case .integer(let total)? = row["total_visits"],
                  let all = visits[id] else { return row }
            let chosen = all.enumerated().filter { window.contains($0.element.time) }.sorted { a, b in
                if a.element.storeID != b.element.storeID {
                    return a.element.storeID.utf8.lexicographicallyPrecedes(b.element.storeID.utf8)
                }
                return a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
            }.map(\.element)
            guard chosen.count == total else { return row }
            var result = row
            for i in result.columns.indices {
                switch result.columns[i].name {
                case "visited_stores": result.columns[i].value = .array(chosen.map { .string($0.storeID) })
                case "entry_points": result.columns[i].value = .array(chosen.map { .string($0.entryPoint) })
                case "visit_tags": result.columns[i].value = .array(chosen.map { .array($0.tags.map { .string($0) }) })
                default: break
                }
            }
            return result
        }
    }
}
