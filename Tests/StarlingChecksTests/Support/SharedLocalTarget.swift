import Foundation
import Testing

/// One local target for a whole suite: started before its first test on a temporary copy of the
/// project that also holds the 14 mutants (the original pipes are byte-identical), stopped after
/// its last. Tests reach it through `CheckTarget.current`.
struct SharedLocalTarget: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard CheckTarget.python != nil else { return try await function() }
        let project = try Mutants.project(copying: CheckTarget.repository.appendingPathComponent("scenarios/tinybird"))
        defer { try? FileManager.default.removeItem(at: project) }
        let target = try CheckTarget(project: project)
        defer { target.stop() }
        try await CheckTarget.$current.withValue(target) { try await function() }
    }
}

extension Trait where Self == SharedLocalTarget {
    static var sharedLocalTarget: Self { SharedLocalTarget() }
}

extension CheckTarget {
    @TaskLocal static var current: CheckTarget?

    /// The suite's shared target.
    static func shared() throws -> CheckTarget {
        guard let current else { throw Failure(description: "no shared local target (add the .sharedLocalTarget trait)") }
        return current
    }
}
