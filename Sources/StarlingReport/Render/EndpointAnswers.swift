import StarlingRun

/// What the endpoints answered during the load, for the console and the reports: each pipe's
/// distinct error messages with their counts, and the pipes whose every answer held no row.
enum EndpointAnswers {
    /// Messages shown per pipe; the rest are counted in one line.
    static let shownMessages = 5

    static func lines(_ s: RunSummary) -> [String] {
        var lines: [String] = []
        for (pipe, q) in s.queries.sorted(by: { $0.key < $1.key }) {
            let messages = (q.errorMessages ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            for (message, count) in messages.prefix(shownMessages) {
                lines.append("query \(pipe) errors ×\(count): \(message)")
            }
            if messages.count > shownMessages {
                let rest = messages.dropFirst(shownMessages).reduce(0) { $0 + $1.value }
                lines.append("query \(pipe) errors ×\(rest): \(messages.count - shownMessages) other messages (summary.json lists them)")
            }
            if q.neverReturnedRows {
                let shown = q.emptyParameters.flatMap { $0.isEmpty ? nil : " (e.g. \($0))" } ?? " (default parameters)"
                lines.append("query \(pipe): no row in any of its \(q.answers ?? 0) answers\(shown)")
            }
        }
        return lines
    }
}
