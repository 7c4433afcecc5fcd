import Testing
@testable import StarlingMetrics

@Test func smoke() throws {
    var h = HDRHistogram()
    h.record(1000)
    #expect(h.totalCount == 1)
}
