// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the toolchain (Foundation, Dispatch, Glibc, Synchronization, Testing)
// and system C libraries through `.systemLibrary` targets only.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Test code that computes little is compiled without optimization (the CLI, app, net, report,
// metrics and project tests: they drive processes and check answers). The tests of the simulator,
// the engine and the checks stay optimized: their own loops over millions of events ran 2-3x
// slower unoptimized (DifferentialTests 15 s -> 45 s), more than the build saved.
let lightTestSettings = strict + [.unsafeFlags(["-Onone"])]

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
        // Pure (no file or process access): scenarios, the domain models, the stream and its
        // encoders. A scenario's "project" is read through the `ProjectFiles` it is given.
        .target(name: "StarlingSim", dependencies: ["StarlingProject", "StarlingJSON", "CPrefetch"], swiftSettings: strict),
        // Pure: a Tinybird project's datafiles parsed into specs (pipes' parameters, datasources),
        // the folder read through `ProjectFiles` (the disk's is StarlingDisk's `ProjectFiles.disk`).
        .target(name: "StarlingProject", swiftSettings: strict),
        // The disk as `ProjectFiles` (and the conveniences that read through it): the one place the
        // pure modules' inputs come from files. Its own small module, so that the tests of the pure
        // modules build beside StarlingRun rather than after it.
        .target(name: "StarlingDisk", dependencies: ["StarlingProject", "StarlingSim"], swiftSettings: strict),
        .target(name: "StarlingMetrics", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "StarlingChecks", dependencies: ["StarlingSim", "StarlingJSON"], swiftSettings: strict),
        .target(name: "StarlingNet", dependencies: ["CZlib", "COpenSSL", "StarlingJSON"], swiftSettings: strict),
        .target(
            name: "StarlingRun",
            dependencies: ["StarlingSim", "StarlingMetrics", "StarlingChecks", "StarlingNet", "StarlingProject", "StarlingJSON", "StarlingDisk"],
            swiftSettings: strict),
        // Rendering of results: reports, the console summary, compare (which lists run folders).
        .target(name: "StarlingReport", dependencies: ["StarlingRun", "StarlingMetrics"], swiftSettings: strict),
        // The application layer the CLI calls: the scenario catalog, a run's phases (RunSession:
        // load, settle, verify, thresholds), merge and verify, replay, ab, bench, fixtures, targets,
        // signals, the results folder's writing.
        .target(
            name: "StarlingApp",
            dependencies: ["StarlingRun", "StarlingReport", "StarlingNet", "StarlingSim", "StarlingChecks", "StarlingProject", "StarlingMetrics", "StarlingDisk"],
            swiftSettings: strict),
        .executableTarget(
            name: "starling",
            dependencies: ["StarlingApp", "StarlingReport", "StarlingRun", "StarlingSim", "StarlingNet", "StarlingMetrics", "StarlingProject", "StarlingDisk"],
            swiftSettings: strict),
        // StarlingDisk for `ProjectFiles.disk` (the pure modules read project folders through it).
        .testTarget(name: "StarlingSimTests", dependencies: ["StarlingSim", "StarlingJSON", "StarlingProject", "StarlingDisk"], swiftSettings: strict),
        .testTarget(name: "StarlingProjectTests", dependencies: ["StarlingProject", "StarlingSim", "StarlingDisk"], swiftSettings: lightTestSettings),
        .testTarget(name: "StarlingMetricsTests", dependencies: ["StarlingMetrics"], swiftSettings: lightTestSettings),
        // The differential tests start the local target through StarlingRun's launcher (the one launcher).
        .testTarget(name: "StarlingChecksTests", dependencies: ["StarlingChecks", "StarlingSim", "StarlingJSON", "StarlingRun", "StarlingNet"], swiftSettings: strict),
        .testTarget(name: "StarlingNetTests", dependencies: ["StarlingNet", "StarlingJSON"], swiftSettings: lightTestSettings),
        .testTarget(
            name: "StarlingRunTests",
            dependencies: ["StarlingRun", "StarlingApp", "StarlingChecks", "StarlingNet", "StarlingSim", "StarlingMetrics", "StarlingProject", "StarlingJSON", "StarlingDisk"],
            swiftSettings: strict),
        .testTarget(name: "StarlingReportTests", dependencies: ["StarlingReport", "StarlingRun", "StarlingMetrics"], swiftSettings: lightTestSettings),
        // The application layer (a whole run, in process, against a fake target).
        .testTarget(name: "StarlingAppTests", dependencies: ["StarlingApp", "StarlingRun", "StarlingNet", "StarlingSim", "StarlingReport", "StarlingMetrics", "StarlingDisk"], swiftSettings: lightTestSettings),
        // Runs the built `starling` executable end to end (build it first: `swift build --build-tests`).
        .testTarget(name: "StarlingCLITests", dependencies: ["starling", "StarlingRun", "StarlingNet"], swiftSettings: lightTestSettings),
    ]
)
