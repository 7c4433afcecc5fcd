import Foundation

extension ResultsFolder {
    /// Writes `summary.json` (sorted keys, snake_case).
    public func writeSummary(_ summary: RunSummary) throws(ResultsError) {
        try writeJSON(summary, to: .summary)
    }

    /// Writes `value` as pretty JSON (sorted keys, snake_case) to `file`.
    public func writeJSON(_ value: some Encodable, to file: File) throws(ResultsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw .unwritable(url(file), "cannot encode it: \(error)")
        }
        try write(String(decoding: data, as: UTF8.self) + "\n", to: file)
    }

    /// Reads `summary.json` of any version in `RunSummary.readableSchemas`.
    public func readSummary() throws(ResultsError) -> RunSummary {
        let text = try read(.summary)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let summary: RunSummary
        do {
            summary = try decoder.decode(RunSummary.self, from: Data(text.utf8))
        } catch {
            throw .unreadable(url(.summary), Self.decodingReason(error))
        }
        guard RunSummary.readableSchemas.contains(summary.schema) else {
            throw .unreadable(url(.summary), "schema \(summary.schema) is not one this version reads (\(RunSummary.readableSchemas.joined(separator: ", ")))")
        }
        return summary
    }

    /// A `DecodingError` as one line: the key path and what was wrong.
    static func decodingReason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .keyNotFound(key, context): return "missing \(path(context)).\(key.stringValue)"
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            return "the file is not valid JSON (cut short, or not written by Starling)"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(path(context).isEmpty ? "the file" : path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
