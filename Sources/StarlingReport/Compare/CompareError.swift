/// Bad input to `starling compare`.
public enum CompareError: Error, Equatable, CustomStringConvertible {
    /// Neither a results folder nor a folder of results folders.
    case notResults(String)
    case unreadable(String, String)
    case badTolerance(String)

    public var description: String {
        switch self {
        case .notResults(let path):
            return "\(path) has no summary.json and no sub-folders with one; pass a results folder or a folder of them"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .badTolerance(let text):
            return "bad tolerance '\(text)'; expected KEY=REL[+ABS] with KEY a kind (latency, tail, rate, errors, count) or a metric name, e.g. tail=30%+2ms"
        }
    }
}
