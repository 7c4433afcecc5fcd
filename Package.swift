// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the toolchain (Foundation, Dispatch, Glibc, Synchronization, Testing)
// and system C libraries through `.systemLibrary` targets only.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starling", targets: ["starling"]),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(name: "StarlingSim", swiftSettings: strict),
        .target(name: "StarlingMetrics", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "StarlingChecks", dependencies: ["StarlingSim"], swiftSettings: strict),
        .target(name: "StarlingNet", dependencies: ["CZlib", "COpenSSL"], swiftSettings: strict),
        .target(
            name: "StarlingRun",
            dependencies: ["StarlingSim", "StarlingMetrics", "StarlingChecks", "StarlingNet"],
            swiftSettings: strict),
        .target(name: "StarlingReport", dependencies: ["StarlingRun"], swiftSettings: strict),
        .executableTarget(
            name: "starling",
            dependencies: ["StarlingReport", "StarlingRun", "StarlingSim"],
            swiftSettings: strict),
        .testTarget(name: "StarlingSimTests", dependencies: ["StarlingSim"], swiftSettings: strict),
        .testTarget(name: "StarlingMetricsTests", dependencies: ["StarlingMetrics"], swiftSettings: strict),
        .testTarget(name: "StarlingChecksTests", dependencies: ["StarlingChecks"], swiftSettings: strict),
        .testTarget(name: "StarlingNetTests", dependencies: ["StarlingNet"], swiftSettings: strict),
        .testTarget(name: "StarlingRunTests", dependencies: ["StarlingRun"], swiftSettings: strict),
        .testTarget(name: "StarlingReportTests", dependencies: ["StarlingReport"], swiftSettings: strict),
        // Runs the built `starling` executable end to end (build it first: `swift build --build-tests`).
        .testTarget(name: "StarlingCLITests", dependencies: ["starling"], swiftSettings: strict),
    ]
)
