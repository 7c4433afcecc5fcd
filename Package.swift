// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the toolchain (Foundation, Dispatch, Glibc, Synchronization, Testing)
// and system C libraries through `.systemLibrary` targets only.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Test code is compiled without optimization: optimized, it took a quarter of a fresh build (57 of
// 187 s here), and what the tests run heavily is the library code, optimized.
let testSettings = strict + [.unsafeFlags(["-Onone"])]

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starling", targets: ["starling"]),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // The C compiler's prefetch builtin (a header, no library).
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        // Every target lists the modules it imports (no reliance on transitive dependencies).
        // Pure: the one JSON value model (exact-text numbers) and its parser.
        .target(name: "StarlingJSON", swiftSettings: strict),
        // Scenarios, the domain models, the stream and its encoders: from text, but for a scenario's
        // "project", read when it is parsed (Scenario+Project.swift).
        .target(name: "StarlingSim", dependencies: ["StarlingProject", "StarlingJSON", "CPrefetch"], swiftSettings: strict),
        // A Tinybird project's datafiles read into specs (pipes' parameters, datasources): from text,
        // but for `ProjectFolder`, which reads the folder (docs/architecture.md).
        .target(name: "StarlingProject", swiftSettings: strict),
        .target(name: "StarlingMetrics", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "StarlingChecks", dependencies: ["StarlingSim", "StarlingJSON"], swiftSettings: strict),
        .target(name: "StarlingNet", dependencies: ["CZlib", "COpenSSL", "StarlingJSON"], swiftSettings: strict),
        .target(
            name: "StarlingRun",
            dependencies: ["StarlingSim", "StarlingMetrics", "StarlingChecks", "StarlingNet", "StarlingProject", "StarlingJSON"],
            swiftSettings: strict),
        // Rendering of results: reports, the console summary, compare (which lists run folders).
        .target(name: "StarlingReport", dependencies: ["StarlingRun", "StarlingMetrics"], swiftSettings: strict),
        // Orchestration the CLI calls: the scenario catalog, targets, signals, phases, merge, replay,
        // the results folder's writing.
        .target(
            name: "StarlingApp",
            dependencies: ["StarlingRun", "StarlingReport", "StarlingNet", "StarlingSim", "StarlingProject", "StarlingMetrics"],
            swiftSettings: strict),
        .executableTarget(
            name: "starling",
            dependencies: ["StarlingApp", "StarlingReport", "StarlingRun", "StarlingSim", "StarlingNet", "StarlingMetrics", "StarlingProject"],
            swiftSettings: strict),
        .testTarget(name: "StarlingSimTests", dependencies: ["StarlingSim", "StarlingJSON"], swiftSettings: testSettings),
        .testTarget(name: "StarlingProjectTests", dependencies: ["StarlingProject"], swiftSettings: testSettings),
        .testTarget(name: "StarlingMetricsTests", dependencies: ["StarlingMetrics"], swiftSettings: testSettings),
        // The differential tests start the local target through StarlingRun's launcher (the one launcher).
        .testTarget(name: "StarlingChecksTests", dependencies: ["StarlingChecks", "StarlingSim", "StarlingJSON", "StarlingRun", "StarlingNet"], swiftSettings: testSettings),
        .testTarget(name: "StarlingNetTests", dependencies: ["StarlingNet", "StarlingJSON"], swiftSettings: testSettings),
        .testTarget(
            name: "StarlingRunTests",
            dependencies: ["StarlingRun", "StarlingApp", "StarlingChecks", "StarlingNet", "StarlingSim", "StarlingMetrics", "StarlingProject", "StarlingJSON"],
            swiftSettings: testSettings),
        .testTarget(name: "StarlingReportTests", dependencies: ["StarlingReport", "StarlingRun", "StarlingMetrics"], swiftSettings: testSettings),
        // The application layer (a whole run, in process, against a fake target).
        .testTarget(name: "StarlingAppTests", dependencies: ["StarlingApp", "StarlingRun", "StarlingNet", "StarlingSim", "StarlingReport", "StarlingMetrics"], swiftSettings: testSettings),
        // Runs the built `starling` executable end to end (build it first: `swift build --build-tests`).
        .testTarget(name: "StarlingCLITests", dependencies: ["starling", "StarlingRun", "StarlingNet"], swiftSettings: testSettings),
    ]
)
