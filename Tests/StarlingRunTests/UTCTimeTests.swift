import StarlingRun
import Testing

/// The run's UTC time texts, read back as written.
@Suite struct UTCTimeTests {
    @Test func anInstantReadsBackAsWritten() {
        let nanos: Int64 = 1_796_061_600 * 1_000_000_000  // 2026-11-30 18:00:00 UTC
        #expect(UTCTime.iso(nanos: nanos) == "2026-11-30T18:00:00Z")
        #expect(UTCTime.nanos(iso: "2026-11-30T18:00:00Z") == nanos)
        #expect(UTCTime.nanos(iso: "2026-11-30 18:00:00") == nil)
        #expect(UTCTime.folderStamp(1_796_061_600) == "2026-11-30T180000Z")
    }
}
