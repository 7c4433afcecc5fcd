import StarlingProject

/// SQL whose answer the data alone does not decide: random functions, `any`-style aggregates that
/// keep whichever row comes first (`argMax` too, among rows tied on its second argument), sampled or approximate aggregates whose result depends on the
/// order rows arrive in, and `LIMIT n BY` (which rows of a group it keeps depends on an order the
/// query may leave open). A pipe using one is compared where its answer agrees and skipped, with
/// the construct named, where it does not.
public enum Undetermined {
    /// Function names starting so (lowercased): their combinators too (`anySimpleState`, `argMaxMerge`,
    /// `quantileTiming`, `randCanonical`).
    static let functions = ["rand", "generateuuid", "any", "argmax", "argmin", "topk", "quantile", "median"]

    /// The first such construct in `sqls` (comments included: a false positive only softens a check).
    static func construct(in sqls: [String]) -> String? {
        for sql in sqls {
            let text = Array(sql.lowercased().utf8)
            for function in functions where calls(function, in: text) { return "\(function)…()" }
            if sql.contains(/(?i)\bLIMIT\s+[^;]{1,80}?\bBY\b/) { return "LIMIT … BY" }
        }
        return nil
    }

    /// Whether a word starting with `name` is followed by `(` (spaces allowed between).
    static func calls(_ name: String, in text: [UInt8]) -> Bool {
        let word = Array(name.utf8)
        func isWord(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) }
        var start = 0
        while start + word.count <= text.count {
            if text[start..<start + word.count].elementsEqual(word), start == 0 || !isWord(text[start - 1]) {
                var next = start + word.count
                while next < text.count, isWord(text[next]) { next += 1 }
                while next < text.count, text[next] == 0x20 || text[next] == 0x0A || text[next] == 0x09 { next += 1 }
                if next < text.count, text[next] == UInt8(ascii: "(") { return true }
            }
            start += 1
        }
        return false
    }

    /// Per endpoint, the construct that leaves its answer open, looked for in its own SQL and in
    /// everything upstream: the pipes it reads and the materialized and copy pipes that write the
    /// datasources it reads (a view keeping `any(device)` per session and block makes the endpoint
    /// reading its target depend on how the rows were batched).
    public static func constructs(in project: ProjectFolder) -> [String: String] {
        let byName = Dictionary(project.allPipes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var writers: [String: [String]] = [:]
        for (pipe, target) in project.materializations { writers[target, default: []].append(pipe) }
        for copy in project.copies { writers[copy.target, default: []].append(copy.pipe) }
        var found: [String: String] = [:]
        for endpoint in project.pipes.keys {
            var seen: Set<String> = []
            var queue = [endpoint]
            var sqls: [String] = []
            while let next = queue.popLast() {
                guard seen.insert(next).inserted, let spec = byName[next] else { continue }
                sqls += spec.file.nodes.map(\.sql)
                for source in spec.datasources { queue += (writers[source] ?? []) + (byName[source] == nil ? [] : [source]) }
            }
            if let construct = construct(in: sqls) { found[endpoint] = construct }
        }
        return found
    }
}
