import Foundation

/// The files project parsing reads, and the only way it reads them: `ProjectFolder` and a
/// scenario's `"project"` are parsed from what this gives, so the parsing modules (StarlingProject,
/// StarlingSim) touch no file themselves. The application passes `ProjectFiles.disk` (StarlingRun);
/// a test may pass files held in memory (`memory(_:)`).
public struct ProjectFiles: Sendable {
    /// The file's bytes; nil when it cannot be read.
    public var contents: @Sendable (_ path: String) -> Data?
    /// Every file below `root`, as paths relative to it, at every depth; empty when `root` cannot be listed.
    public var list: @Sendable (_ root: String) -> [String]
    /// Whether `path` is a folder.
    public var isFolder: @Sendable (_ path: String) -> Bool
    /// The folder relative paths are read against (the process's working directory, for the disk).
    public var currentFolder: @Sendable () -> String

    public init(contents: @escaping @Sendable (String) -> Data?, list: @escaping @Sendable (String) -> [String],
                isFolder: @escaping @Sendable (String) -> Bool, currentFolder: @escaping @Sendable () -> String) {
        self.contents = contents
        self.list = list
        self.isFolder = isFolder
        self.currentFolder = currentFolder
    }

    /// Files held in memory, by absolute path; a folder is any proper prefix of a path ending at a `/`.
    public static func memory(_ files: [String: String], currentFolder: String = "/") -> ProjectFiles {
        ProjectFiles(
            contents: { files[$0].map { Data($0.utf8) } },
            list: { root in
                let prefix = root.hasSuffix("/") ? root : root + "/"
                return files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
            },
            isFolder: { path in
                let prefix = path.hasSuffix("/") ? path : path + "/"
                return files.keys.contains { $0.hasPrefix(prefix) }
            },
            currentFolder: { currentFolder })
    }
}
