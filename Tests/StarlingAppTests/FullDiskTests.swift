import Foundation
import Glibc
import StarlingApp
import StarlingDisk
import StarlingNet
import StarlingReport
import StarlingRun
import StarlingSim
import Testing

/// A small tmpfs mounted for one test: a disk that really fills. Mounting needs root with
/// CAP_SYS_ADMIN (CI has it); elsewhere the test prints why it did not run.
final class SmallDisk {
    let path: String

    init?(kibibytes: Int) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("starling-disk-\(UUID().uuidString)").path
        guard mkdir(path, 0o755) == 0 else { return nil }
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kibibytes)k") == 0 else {
            print("skipped: cannot mount a \(kibibytes) KiB tmpfs (\(String(cString: strerror(errno)))); the full-disk tests need root with CAP_SYS_ADMIN")
            rmdir(path)
            return nil
        }
    }

    /// Takes the free space down to about `bytes` (a file of zeros).
    func fill(leaving bytes: Int) throws {
        var disk = statvfs()
        guard statvfs(path, &disk) == 0 else { throw POSIXError(.EIO) }
        let free = Int(disk.f_bavail) * Int(disk.f_frsize)
        try Data(count: max(0, free - bytes)).write(to: URL(fileURLWithPath: path + "/filler"))
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }
}

@Suite(.serialized) struct FullDiskTests {
    /// 50 NDJSON lines of about 100 bytes.
    static func batch(_ n: Int) -> [UInt8] {
        Array((0..<50).map { "{\"batch\":\(n),\"line\":\($0),\"pad\":\"\(String(repeating: "x", count: 70))\"}\n" }.joined().utf8)
    }

    /// Finding 8: the dead letter was cut mid-line when the disk filled, and counted lines it did
    /// not hold. Now each batch is whole or absent, and the lost ones are counted apart.
    @Test func aDeadLetterOnAFullDiskHoldsWholeBatchesAndCountsTheRest() throws {
        guard let disk = SmallDisk(kibibytes: 256) else { return }
        let letter = DeadLetter(directory: disk.path + "/deadletter")
        for n in 0..<100 {
            letter.write(Self.batch(n), batch: .init(datasource: "store_visits", lines: 50, bucket: "rejected", possiblyLanded: false, cause: "400"))
        }
        letter.close()
        #expect(letter.error?.contains("No space left on device") == true, "\(letter.error ?? "no error")")
        #expect(letter.lines > 0 && letter.unwrittenLines > 0)
        #expect(letter.lines + letter.unwrittenLines == 5000)
        let index = try String(contentsOfFile: disk.path + "/deadletter/batches.ndjson", encoding: .utf8)
        let lines = try String(contentsOfFile: disk.path + "/deadletter/store_visits.ndjson", encoding: .utf8)
        #expect(index.hasSuffix("\n") && lines.hasSuffix("\n"), "a file ends mid-line")
        var indexed = 0
        for entry in index.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any]
            indexed += object?["lines"] as? Int ?? 0
        }
        #expect(indexed == letter.lines)
        #expect(lines.split(separator: "\n").count == letter.lines)
        for line in lines.split(separator: "\n") { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)") }
    }

    /// Finding 8: with the disk already full, the load ran before the run failed. Now the results
    /// folder's reserve is refused first, naming the folder, and nothing is sent.
    @Test func aFullDiskStopsTheRunBeforeTheLoad() throws {
        guard let disk = SmallDisk(kibibytes: 2048) else { return }
        try disk.fill(leaving: 200 * 1024)
        let target = try FakeTarget()
        let out = disk.path + "/run"
        #expect {
            _ = try LoadRun.execute(try Self.scenario(), options: Self.options(target: target, out: out)) { _ in }
        } throws: { error in
            "\(error)".contains(out) && "\(error)".contains("disk is full")
        }
        #expect(target.stats.requests == 0)
        #expect(!FileManager.default.fileExists(atPath: out), "the folder it created is removed")
    }

    /// Finding 8: a dead letter filling the disk mid-run left no summary and no console summary.
    /// Now the run ends with its summary (written in the space reserved at the start), a warning of
    /// what the dead letter lost, on the console too, and a dead letter of whole batches.
    @Test func aDeadLetterThatFillsTheDiskLeavesASummarySayingWhatWasLost() throws {
        guard let disk = SmallDisk(kibibytes: 2048) else { return }
        let target = try FakeTarget(behavior: FakeTargetBehavior(responses: .always(.status(400))))
        let out = disk.path + "/run"
        let (outcome, folder) = try LoadRun.execute(try Self.scenario(), options: Self.options(target: target, out: out)) { _ in }
        #expect(outcome.resultsLost == nil)
        let summary = try folder.readSummary()
        let ledger = summary.ingest.ledger
        #expect(ledger.rejected > 0 && ledger.generated == ledger.acknowledged + ledger.quarantined + ledger.rejected + ledger.failed + ledger.notSent)
        let warning = try #require(summary.warnings?.first { $0.hasPrefix("the dead letter is incomplete") })
        let console = RunConsoleSummary.render(summary, folder: folder.path)
        #expect(console.contains("warning: " + warning))
        let lines = try String(contentsOfFile: out + "/deadletter/store_visits.ndjson", encoding: .utf8)
        #expect(lines.hasSuffix("\n"))
        #expect(lines.split(separator: "\n").count == summary.ingest.deadLetterLines)
        #expect(summary.ingest.deadLetterLines < ledger.rejected, "the disk was meant to fill")
        #expect(warning.contains("\(ledger.rejected + ledger.failed + ledger.notSent - summary.ingest.deadLetterLines) events"))
    }

    static func scenario() throws -> Scenario {
        let json = """
        {"format": 1, "name": "full-disk", "seed": 3, "start": "2025-05-12 00:00:00",
         "datasources": {"store_visits": {"visits_per_hour": 3000}},
         "run": {"duration": "3s", "event_time": "simulated", "drain_timeout": "5s",
                 "ingest": {"rate": 20000, "batch_max_events": 1000},
                 "queries": [], "checks": {"correctness": false, "probes_per_second": 0}}}
        """
        return try Scenario(json: Data(json.utf8), source: "full-disk.json")
    }

    static func options(target: FakeTarget, out: String) -> LoadRunOptions {
        var options = LoadRunOptions(localTarget: .init(project: "unused"))
        options.target = TargetChoice("http://\(target.url.host):\(target.url.port)")
        options.token = "test-token"
        options.out = out
        return options
    }
}
