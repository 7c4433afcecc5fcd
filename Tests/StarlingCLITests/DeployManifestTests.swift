import Foundation
import Testing

/// The deployment files in `deploy/`, read as a cluster and Docker would read them (no cluster here):
/// every Kubernetes manifest parses, every option its commands give `starling` is one the verb's
/// `--help` lists, the Jobs are never retried and agree on the number of shards; the Dockerfile
/// builds the release `starling` and runs it as a non-root user.
@Suite(.timeLimit(.minutes(2))) struct DeployManifestTests {
    static let kubernetes = root.appendingPathComponent("deploy/kubernetes")

    @Test(.enabled(if: ProcessInfo.processInfo.environment["STARLING_PYTHON"] != nil,
                   "needs PyYAML in the local target's venv (STARLING_PYTHON; scripts/test sets it)"))
    func kubernetesManifestsParseAndPassOnlyDeclaredOptions() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.kubernetes.path).filter { $0.hasSuffix(".yaml") }.sorted()
        try #require(!names.isEmpty, "no *.yaml in deploy/kubernetes")
        let manifests = try ManifestFile.parse(names.map { Self.kubernetes.appendingPathComponent($0).path })
        #expect(manifests.map(\.name).sorted() == names)

        var invocations: [Invocation] = []
        for manifest in manifests {
            #expect(manifest.error == nil, "\(manifest.name) does not parse: \(manifest.error ?? "")")
            #expect(manifest.documents.contains { $0["kind"] is String }, "\(manifest.name) has no document with a kind")
            for container in manifest.documents.flatMap({ Self.containers(in: $0) }) {
                invocations += Invocation.commands(in: container, file: manifest.name)
                for variable in container["env"] as? [[String: Any]] ?? [] {
                    let name = variable["name"] as? String ?? "?"
                    // Kubernetes refuses a number or a boolean as an environment value: `"4"`, not `4`.
                    if let value = variable["value"] { #expect(value is String, "\(manifest.name): env \(name) is not a quoted string") }
                    #expect(name != "TB_TOKEN" || variable["value"] == nil, "\(manifest.name): TB_TOKEN must come from the Secret, not a value")
                }
            }
        }

        let verbs = Set(invocations.map(\.verb))
        #expect(verbs.isSuperset(of: ["run", "merge"]), "the manifests run the shards and merge them; found starling \(verbs.sorted())")
        for verb in verbs.sorted() {
            let help = try starling(verb, "--help")
            #expect(help.status == 0, "starling \(verb) --help: \(help.error)")
            let declared = Invocation.options(inHelp: help.output)
            for invocation in invocations where invocation.verb == verb {
                #expect(!invocation.options.contains("--token"), "\(invocation.file): the token belongs in TB_TOKEN, never on a command line")
                for option in invocation.options {
                    #expect(declared.contains(option), "\(invocation.file): 'starling \(verb) \(option)' is not in 'starling \(verb) --help'")
                }
            }
        }

        let jobs = manifests.flatMap(\.documents).filter { $0["kind"] as? String == "Job" }
        let shards = try #require(jobs.first { Self.name(of: $0) == "starling-shards" }, "no Job starling-shards")
        let merge = try #require(jobs.first { Self.name(of: $0) == "starling-merge" }, "no Job starling-merge")
        let spec = shards["spec"] as? [String: Any] ?? [:]
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int, "the shards Job states its completions")
        #expect(spec["parallelism"] as? Int == completions, "every shard must run at once: parallelism == completions")
        for job in [shards, merge] {
            let name = Self.name(of: job) ?? "?"
            // A shard run twice sends its events twice: nothing may retry it.
            #expect((job["spec"] as? [String: Any])?["backoffLimit"] as? Int == 0, "\(name): backoffLimit 0")
            let pod = ((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
            #expect(pod?["restartPolicy"] as? String == "Never", "\(name): restartPolicy Never")
            for container in Self.containers(in: job) {
                #expect(Self.environment(of: container)["SHARDS"] == String(completions),
                        "\(name): SHARDS must equal the shards Job's completions (\(completions))")
            }
        }
    }

    @Test func dockerfileBuildsTheReleaseStarlingAndRunsItAsNonRoot() throws {
        let text = try String(contentsOf: root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        // One instruction per line: continuations joined, comments and blank lines dropped.
        let instructions = text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let isFrom = { (line: String) in line.uppercased().hasPrefix("FROM ") }
        #expect(instructions.filter(isFrom).count >= 2, "a build stage and a runtime stage")
        let builds = instructions.filter { $0.hasPrefix("RUN ") && $0.contains("swift build") }
        #expect(builds.contains { $0.contains("-c release") && $0.contains("--product starling") }, "no release build of starling: \(builds)")

        let lastFrom = try #require(instructions.lastIndex(where: isFrom))
        let runtime = instructions[(lastFrom + 1)...]
        #expect(runtime.contains { $0.replacingOccurrences(of: " ", with: "") == #"ENTRYPOINT["starling"]"# })
        let user = runtime.last { $0.hasPrefix("USER ") }.map { String($0.dropFirst("USER ".count)) }
        #expect(user != nil && !["root", "0", "0:0"].contains(user ?? ""), "the runtime stage runs as a non-root user, not \(user ?? "root")")
        // Built-in scenarios are found where the image puts them.
        let scenarios = runtime.first { $0.hasPrefix("ENV STARLING_SCENARIOS=") }.map { String($0.dropFirst("ENV STARLING_SCENARIOS=".count)) }
        let copied = runtime.filter { $0.hasPrefix("COPY scenarios ") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(scenarios != nil && copied.contains(scenarios ?? ""),
                "STARLING_SCENARIOS \(scenarios ?? "unset") is not where scenarios/ is copied: \(copied)")

        // The build context is the repository root: a host .build would bloat it and reach the builder.
        let ignored = try String(contentsOf: root.appendingPathComponent(".dockerignore"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(ignored.contains(".build"), ".dockerignore must exclude .build")
    }

    /// Every container of a document, wherever its pod spec sits (a Job's template, a Pod).
    static func containers(in value: Any) -> [[String: Any]] {
        if let object = value as? [String: Any] {
            let own = object["containers"] as? [[String: Any]] ?? []
            return own + object.filter { $0.key != "containers" }.flatMap { containers(in: $0.value) }
        }
        if let array = value as? [Any] { return array.flatMap { containers(in: $0) } }
        return []
    }

    static func name(of document: [String: Any]) -> String? {
        (document["metadata"] as? [String: Any])?["name"] as? String
    }

    /// A container's literal environment values by name (those from a Secret are left out).
    static func environment(of container: [String: Any]) -> [String: String] {
        var values: [String: String] = [:]
        for variable in container["env"] as? [[String: Any]] ?? [] {
            if let name = variable["name"] as? String, let value = variable["value"] as? String { values[name] = value }
        }
        return values
    }

    /// One manifest's YAML documents as JSON values, or why it does not parse.
    struct ManifestFile {
        var name: String
        var documents: [[String: Any]]
        var error: String?

        /// Parses `paths` with PyYAML (`yaml.safe_load_all`) in the Python at `STARLING_PYTHON`.
        static func parse(_ paths: [String]) throws -> [ManifestFile] {
            let python = try #require(ProcessInfo.processInfo.environment["STARLING_PYTHON"])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", script] + paths
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "\(python) could not parse the manifests (is PyYAML installed?): \(errors)")
            let object = try JSONSerialization.jsonObject(with: output)
            let parsed = try #require(object as? [String: [String: Any]], "the parser printed no object of files")
            return paths.map { path in
                let result = parsed[path] ?? ["error": "not in the parser's output"]
                let documents = result["documents"] as? [[String: Any]]
                let error = result["error"] as? String ?? (documents == nil && result["error"] == nil ? "a document is not a mapping" : nil)
                return ManifestFile(name: URL(fileURLWithPath: path).lastPathComponent, documents: documents ?? [], error: error)
            }
        }

        /// Prints `{path: {"documents": [...]}}`, or `{path: {"error": "..."}}` for a file that does
        /// not parse or holds a value JSON cannot (an unquoted timestamp becomes a date).
        static let script = #"""
            import json, sys, yaml
            out = {}
            for path in sys.argv[1:]:
                try:
                    with open(path) as f:
                        documents = [d for d in yaml.safe_load_all(f) if d is not None]
                    json.dumps(documents)
                    out[path] = {"documents": documents}
                except Exception as e:
                    out[path] = {"error": str(e)}
            json.dump(out, sys.stdout)
            """#
    }

    /// A `starling <verb>` command line in a container's command and args, and the options it passes.
    struct Invocation {
        var file: String
        var verb: String
        var options: [String]

        /// The verbs the manifests are checked for.
        static let verbs: Set<String> = ["run", "merge", "verify"]

        /// Each shell command (a line, continuations joined, or a part between `;`, `&&`, `||`, `|`)
        /// that runs `starling <verb>`, with every `--option` it passes.
        static func commands(in container: [String: Any], file: String) -> [Invocation] {
            let words = (container["command"] as? [String] ?? []) + (container["args"] as? [String] ?? [])
            var script = words.joined(separator: "\n").replacingOccurrences(of: "\\\n", with: " ")
            for separator in ["&&", "||", ";", "|"] { script = script.replacingOccurrences(of: separator, with: "\n") }
            var found: [Invocation] = []
            for line in script.split(separator: "\n") {
                let tokens = line.split(whereSeparator: \.isWhitespace).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
                guard let at = tokens.indices.first(where: { tokens[$0] == "starling" && $0 + 1 < tokens.count && verbs.contains(tokens[$0 + 1]) }) else {
                    continue
                }
                let options = tokens[(at + 2)...].filter { $0.hasPrefix("--") }.map { option in String(option.prefix { $0 != "=" }) }
                found.append(Invocation(file: file, verb: tokens[at + 1], options: options))
            }
            return found
        }

        /// The options a verb's `--help` names.
        static func options(inHelp text: String) -> Set<String> {
            Set(text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init).filter { $0.hasPrefix("--") })
        }
    }
}
