import Foundation
import StarlingNet
import Testing
@testable import StarlingRun

/// A results folder is input, not trust: `replay` reads only the files the run wrote, exactly as
/// it wrote them, and says which file and batch when that is not so — before anything is sent.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ReplayTamperTests {
    /// One dead letter of two datasources, and each tampering of it refused with the file named.
    @Test func aTamperedDeadLetterIsRefusedNamingTheFile() throws {
        let run = try VirtualRun(SimulatedTarget.Options(behavior: FakeTargetBehavior(responses: .weighted([(.ok, 0.5), (.status(400), 0.5)], seed: 5))))
        defer { run.remove() }
        _ = run.run(try enginePlan(rate: 2000, duration: 1))
        let dead = run.folder.deadLetterPath
        let index = dead + "/" + DeadLetter.indexName
        let visits = dead + "/store_visits.ndjson"
        let original = try [index, visits].map { ($0, try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let batches = try DeadLetterReplay.index(of: run.folder)
        #expect(batches.count > 2 && batches.allSatisfy { $0.digest != nil }, "the run's own dead letter reads back, each batch with its digest")

        func restore() throws {
            for (path, data) in original {
                try? FileManager.default.removeItem(atPath: path)
                try data.write(to: URL(fileURLWithPath: path))
            }
        }
        func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        func write(_ lines: [String], to path: String) throws {
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        }
        func editIndex(_ edit: (inout [String: Any]) -> Void) throws {
            var all = try lines(index)
            var first = try #require(try JSONSerialization.jsonObject(with: Data(all[0].utf8)) as? [String: Any])
            edit(&first)
            all[0] = String(decoding: try JSONSerialization.data(withJSONObject: first), as: UTF8.self)
            try write(all, to: index)
        }

        let tamperings: [(String, () throws -> Void, String, String)] = [
            ("a symbolic link out of the folder", {
                try FileManager.default.removeItem(atPath: visits)
                try FileManager.default.createSymbolicLink(atPath: visits, withDestinationPath: "/etc/passwd")
            }, visits, "symbolic link"),
            ("a device", {
                try FileManager.default.removeItem(atPath: visits)
                try FileManager.default.createSymbolicLink(atPath: visits, withDestinationPath: "/dev/zero")
            }, visits, "not a regular file"),
            ("a datasource that leaves the folder", { try editIndex { $0["datasource"] = "../../loot" } }, index, "not a datasource name"),
            ("a negative count", { try editIndex { $0["lines"] = -5 } }, index, "not a batch's count"),
            ("a count past any batch", { try editIndex { $0["lines"] = Int.max } }, index, "not a batch's count"),
            ("a duplicated line", {
                var all = try lines(visits)
                all.insert(all[3], at: 3)
                try write(all, to: visits)
            }, visits, "changed after the run"),
            ("a deleted line", {
                var all = try lines(visits)
                all.remove(at: 3)
                try write(all, to: visits)
            }, visits, "changed after the run"),
            ("an altered line", {
                var all = try lines(visits)
                all[2] = all[2].replacingOccurrences(of: "store_", with: "store_9")
                try write(all, to: visits)
            }, visits, "not those the run wrote"),
        ]
        for (name, tamper, file, reason) in tamperings {
            try restore()
            try tamper()
            do {
                _ = try DeadLetterReplay.index(of: run.folder)
                Issue.record("\(name): accepted")
            } catch {
                #expect(error.description.contains(file) && error.description.contains(reason), "\(name): \(error.description)")
                #expect(!error.description.contains("\n"), "\(name): one line")
            }
        }
        try restore()
        #expect(try DeadLetterReplay.index(of: run.folder).count == batches.count)
    }
}
