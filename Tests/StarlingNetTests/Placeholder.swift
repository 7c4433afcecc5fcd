import Testing
@testable import StarlingNet
