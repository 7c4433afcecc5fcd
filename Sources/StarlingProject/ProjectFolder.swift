import Foundation

/// A Tinybird project folder (`datasources/*.datasource`, `endpoints/*.pipe`, and pipes anywhere
/// else `tb` accepts them): its endpoint pipes, read into specs.
public struct ProjectFolder: Sendable {
    public let path: String
    public let pipes: [String: PipeSpec]

    /// Reads every `.pipe` under `path` (hidden folders, `fixtures/` and `tests/` skipped). A file that
    /// cannot be read throws one line naming file, line and what was expected.
    public init(path: String) throws(DatafileError) {
        self.path = path
        var pipes: [String: PipeSpec] = [:]
        for file in Self.files(under: path, suffix: ".pipe") {
            let name = String((file as NSString).lastPathComponent.dropLast(".pipe".count))
            guard let data = FileManager.default.contents(atPath: file) else {
                throw DatafileError(path: file, line: 1, expected: "a readable file")
            }
            let spec = PipeSpec(try PipeFile(name: name, path: file, text: String(decoding: data, as: UTF8.self)))
            let published = spec.file.output.type == "endpoint" || (spec.file.output.type.isEmpty && file.contains("/endpoints/"))
            if published { pipes[name] = spec }
        }
        self.pipes = pipes
    }

    static func files(under root: String, suffix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let parts = relative.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix(".") || $0 == "fixtures" || $0 == "tests" }) { continue }
            if relative.hasSuffix(suffix) { found.append(root + "/" + relative) }
        }
        return found.sorted()
    }
}
