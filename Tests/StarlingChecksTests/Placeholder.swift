import Testing
@testable import StarlingChecks
