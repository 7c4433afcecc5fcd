import Testing
@testable import StarlingMetrics
