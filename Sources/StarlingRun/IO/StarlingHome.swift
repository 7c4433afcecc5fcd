import Foundation

/// Where Starling's share files are — the local target (`scripts/local-target/`), the built-in
/// scenarios and their Tinybird project (`scenarios/`) — found the same way by every part that
/// needs them. The candidate roots, in order:
/// - `$STARLING_HOME`, when set;
/// - the working directory (a checkout);
/// - the checkout the executable was built in (`<checkout>/.build/<config>/starling`);
/// - an installed layout (`<prefix>/bin/starling` → `<prefix>/share/starling`, as `scripts/install`
///   writes it).
public enum StarlingHome {
    /// The candidate roots, in order (they may not exist).
    public static func roots(environment: [String: String] = ProcessInfo.processInfo.environment,
                             workingDirectory: String = FileManager.default.currentDirectoryPath,
                             executable: String? = executablePath()) -> [String] {
        var roots: [String] = []
        if let home = environment["STARLING_HOME"], !home.isEmpty { roots.append(home) }
        roots.append(workingDirectory)
        if let executable {
            let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
            let folder = binary.deletingLastPathComponent()
            // The checkout holding `.build`: `.build/release` is a link to `.build/<triple>/release`,
            // and the resolved path is the one /proc/self/exe gives.
            let parts = folder.pathComponents
            if let build = parts.lastIndex(of: ".build") {
                roots.append(NSString.path(withComponents: Array(parts[..<build])))
            }
            roots.append(folder.deletingLastPathComponent().appendingPathComponent("share/starling").path)
        }
        return roots
    }

    /// `relative` under the first root that has it.
    public static func find(_ relative: String, executable: Bool = false) -> String? {
        roots().map { $0 + "/" + relative }.first {
            executable ? FileManager.default.isExecutableFile(atPath: $0) : FileManager.default.fileExists(atPath: $0)
        }
    }

    /// This process's executable: `/proc/self/exe` (argv[0] may be a bare name found on `PATH`).
    public static func executablePath() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).path }
    }
}
