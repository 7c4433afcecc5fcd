import Foundation
import Testing
@testable import StarlingProject

/// Seeded fuzzing of the datafile readers: every datafile shipped in the repository (the seed
/// project, the examples, the conformance corpus), damaged in many small ways, is either read or
/// refused with one line of bounded length naming the file — never a crash, never a dump.
@Suite struct DatafileFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// SplitMix64: a seeded stream for the damage (this module has no generator of its own).
    struct Stream {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    /// Pieces of the datafile and template syntax, and bytes no datafile should hold.
    static let noise: [String] = ["{%", "%}", "{{", "}}", "(", ")", "'", "\"", "`", "\n", "\t", ">", "#", ",", "\\", "\0", "\u{1B}[2J", "\r",
                                  "Nullable(", "Array(", "SQL >", "NODE x\n", "TYPE ENDPOINT\n", "ENGINE \"MergeTree\"\n", "SCHEMA >\n", "DESCRIPTION >\n",
                                  "{% if defined(x) %}", "{% end %}", "{{ String(p, 'x') }}", "é", "\u{FEFF}", "99999999999999999999"]

    /// One damage: delete, insert or replace text, duplicate or cut a span.
    static func damage(_ text: [UInt8], _ rng: inout Stream) -> [UInt8] {
        var bytes = text
        guard !bytes.isEmpty else { return bytes }
        let at = rng.below(bytes.count)
        let piece = Array(noise[rng.below(noise.count)].utf8)
        switch rng.below(6) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(contentsOf: piece, at: at)
        case 2: bytes.replaceSubrange(at..<min(bytes.count, at + piece.count), with: piece)
        case 3:
            let end = min(bytes.count, at + 1 + rng.below(300))
            bytes.insert(contentsOf: bytes[at..<end], at: end)
        case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(300)))
        default: bytes = Array(bytes.prefix(at))
        }
        return bytes
    }

    static var datafiles: [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasPrefix(".build") || path.hasPrefix("results") || path.hasPrefix(".git") { enumerator?.skipDescendants(); continue }
            if path.hasSuffix(".datasource") || path.hasSuffix(".pipe") { found.append(path) }
        }
        return found.sorted()
    }

    @Test func damagedDatafilesAreReadOrRefusedInOneLine() throws {
        let files = Self.datafiles
        #expect(files.count >= 30, "the shipped datafiles were found: \(files.count)")
        var rng = Stream(state: 20_261_207)
        var refused = 0, read = 0
        for file in files {
            let original = Array(try Data(contentsOf: Self.root.appendingPathComponent(file)))
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            for round in 0..<60 {
                var bytes = original
                for _ in 0...(round % 3) { bytes = Self.damage(bytes, &rng) }
                let text = String(decoding: bytes, as: UTF8.self)
                do {
                    if file.hasSuffix(".datasource") {
                        _ = try DatasourceSchema(name: name, path: file, text: text)
                    } else {
                        _ = PipeSpec(try PipeFile(name: name, path: file, text: text))
                    }
                    read += 1
                } catch {
                    refused += 1
                    let line = error.description
                    #expect(!line.contains("\n") && !line.contains("\r") && line.count <= 2001, "\(file) round \(round): \(line.prefix(300))")
                    #expect(!line.contains("\u{1B}"), "\(file) round \(round): an escape character printed raw")
                    #expect(line.hasPrefix(file), "\(file) round \(round): the file is named first: \(line.prefix(200))")
                }
            }
        }
        #expect(refused > 100 && read > 100, "the damage was seen and not everything refused: \(refused) refused, \(read) read")
    }
}
