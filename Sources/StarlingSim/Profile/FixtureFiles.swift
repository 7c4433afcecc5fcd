/// Which files of a fixtures folder `profile` reads — `<datasource>.ndjson` or `<datasource>.csv` of
/// a datasource it knows — and why it skips the others; and whose declared targets each is
/// checked against.
public enum FixtureFiles {
    public struct File: Sendable, Equatable {
        public var name: String
        public var datasource: String
        public var format: ProfileFormat
    }

    /// `names` are the folder's entries, `folders` those of them that are folders; both sorted by name.
    public static func select(_ names: [String], folders: Set<String> = []) -> (files: [File], skipped: [ProfileReport.Skipped]) {
        var files: [File] = []
        var skipped: [ProfileReport.Skipped] = []
        for name in names.sorted() {
            if folders.contains(name) {
                skipped.append(.init(name: name + "/", reason: "a folder"))
                continue
            }
            guard let format = ProfileFormat.allCases.first(where: { name.hasSuffix(".\($0.rawValue)") }) else {
                skipped.append(.init(name: name, reason: "not a .ndjson or .csv file"))
                continue
            }
            let datasource = String(name.dropLast(format.rawValue.count + 1))
            guard DatasourceProfiler.datasources.contains(datasource) else {
                skipped.append(.init(name: name, reason: "not a datasource profile knows (\(DatasourceProfiler.datasources.joined(separator: ", ")))"))
                continue
            }
            files.append(File(name: name, datasource: datasource, format: format))
        }
        return (files, skipped)
    }

    /// The targets a datasource's fixtures are checked against: `scenario`'s when given and it
    /// has the datasource, else the domain's built-in defaults (with a note saying so when a scenario
    /// was given).
    public static func declaredTargets(for datasource: String, scenario: Scenario?) -> (declared: DomainTargets, note: String?)? {
        if let scenario {
            if let own = scenario.datasources.first(where: { $0.name == datasource })?.declaredTargets { return (own, nil) }
            return builtIn(datasource).map { ($0, "scenario \(scenario.name) has no \(datasource) domain: the built-in defaults are checked") }
        }
        return builtIn(datasource).map { ($0, nil) }
    }

    /// What each domain declares with its default configuration.
    public static func builtIn(_ datasource: String) -> DomainTargets? {
        switch datasource {
        case FootTrafficModel.datasource: return FootTrafficConfig().declaredTargets
        case EcommerceModel.datasource: return EcommerceConfig().declaredTargets
        case JourneyModel.datasource: return JourneyConfig().declaredTargets
        default: return nil
        }
    }
}
