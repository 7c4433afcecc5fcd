import Foundation
import Testing
@testable import StarlingNet

@Suite struct GzipTests {
    static let sample = Array((0..<5000).map { "{\"n\":\($0),\"country\":\"US\"}\n" }.joined().utf8)

    @Test(arguments: [1, 6, 9])
    func roundTrip(level: Int) throws {
        let compressed = try Gzip.compress(Self.sample, level: level)
        #expect(compressed.starts(with: [0x1F, 0x8B, 8]))  // gzip magic and deflate method
        #expect(compressed.count < Self.sample.count / 4)
        #expect(try Gzip.decompress(compressed) == Self.sample)
    }

    @Test func compressorIsReusableAndReusesItsOutput() throws {
        let compressor = try GzipCompressor(level: 1)
        var output: [UInt8] = []
        try compressor.compress(Self.sample, into: &output)
        let first = output
        try compressor.compress(Array("short".utf8), into: &output)
        #expect(try Gzip.decompress(output) == Array("short".utf8))
        try compressor.compress(Self.sample, into: &output)
        #expect(output == first)
        try compressor.compress([], into: &output)
        #expect(try Gzip.decompress(output).isEmpty)
    }

    @Test func responseBodyIsDecodedByContentEncoding() throws {
        let gzipped = HTTPResponse(status: 200, headers: ["content-encoding": "gzip"], body: try Gzip.compress(Self.sample))
        #expect(try gzipped.decodedBody() == Self.sample)
        let plain = HTTPResponse(status: 200, body: Self.sample)
        #expect(try plain.decodedBody() == Self.sample)
    }

    @Test func rejectsGarbageAndTruncatedStreams() throws {
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip at all".utf8)) }
        let compressed = try Gzip.compress(Self.sample)
        #expect(throws: GzipError.invalidData(reason: "stream ends before the gzip trailer")) {
            try Gzip.decompress(Array(compressed.prefix(compressed.count - 10)))
        }
        #expect(throws: GzipError.outputTooLarge(limit: 1000)) {
            try Gzip.decompress(compressed, maxOutputBytes: 1000)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func pythonGzipDecompressesOurStream() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starling-gzip-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("batch.gz")
        try Data(Gzip.compress(Self.sample)).write(to: file)
        let output = try runProcess("/usr/bin/env", ["python3", "-c",
            "import gzip,sys,hashlib; print(len(gzip.decompress(open(sys.argv[1],'rb').read())))", file.path])
        guard let output else { return }  // python3 not installed: nothing to compare with
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == String(Self.sample.count))
    }
}

/// Runs a program and returns its standard output, or nil if it could not start or failed.
func runProcess(_ path: String, _ arguments: [String]) throws -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
}
