/// `withUnsafeBytes` and `withUnsafeMutableBytes` that keep a closure's typed error
/// (the standard library's versions are `rethrows`, which erases it to `any Error`).
extension Array where Element == UInt8 {
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome = withUnsafeBytes { bytes in Swift.Result { () throws(Failure) in try body(bytes) } }
        return try outcome.get()
    }

    mutating func withMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome = withUnsafeMutableBytes { bytes in Swift.Result { () throws(Failure) in try body(bytes) } }
        return try outcome.get()
    }
}
