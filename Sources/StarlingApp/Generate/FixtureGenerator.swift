import StarlingRun
import StarlingSim

/// `starling generate`: writes a scenario's events to `<datasource>.ndjson` (or `.csv`) files.
public struct GenerateOptions: Sendable {
    public enum Size: Sendable, Equatable {
        /// The scenario's own `events` count.
        case scenarioDefault
        /// The first N events of the (unsharded) stream, split over datasources by share.
        case events(Int)
        /// Every event within this many simulated seconds from the scenario's start.
        case duration(Double)
    }

    public enum Format: String, Sendable, CaseIterable {
        case ndjson, csv
    }

    public enum Output: Sendable, Equatable {
        case directory(String)
        case standardOutput
    }

    public var size: Size = .scenarioDefault
    public var seed: UInt64?
    public var shard: ShardSpec = .whole
    public var format: Format = .ndjson
    public var output: Output = .directory(".")
    /// Only these datasources (nil: all of the scenario's).
    public var datasources: [String]?
    /// Bytes buffered before a write; any value gives the same output.
    public var flushBytes = 1 << 20

    public init() {}
}

/// What `generate` wrote for one datasource.
public struct GeneratedFile: Sendable, Equatable {
    public var datasource: String
    public var path: String
    /// Events written by this shard.
    public var events: Int
    /// Events of the whole (unsharded) stream that were generated to get there.
    public var streamEvents: Int
    public var bytes: Int
    /// Sessions started, and those that found nobody free (everyone drawn busy or at their daily cap).
    public var sessionsStarted = 0
    public var sessionsUnplaced = 0
}

/// Progress of a `generate`, reported every so many events.
public struct GenerateProgress: Sendable {
    public var datasource: String
    public var events: Int
    public var target: Int?
}

public enum GenerateError: Error, Equatable, CustomStringConvertible {
    case unknownDatasource(String, available: [String])
    case severalToStandardOutput([String])
    case file(FileError)

    public var description: String {
        switch self {
        case .unknownDatasource(let name, let available):
            return "the scenario has no datasource '\(name)'; it has: \(available.joined(separator: ", "))"
        case .severalToStandardOutput(let names):
            return "--out - writes one datasource, the scenario has \(names.joined(separator: ", ")); add --datasource NAME"
        case .file(let error):
            return error.description
        }
    }
}

extension GenerateOptions.Size {
    /// Per datasource, how many events of the unsharded stream to take (nil: no count limit), and the
    /// simulated time at which the streams end (nil: no end).
    func limits(for scenario: Scenario) -> (counts: [Int?], end: Int64?) {
        switch self {
        case .scenarioDefault: return (scenario.eventCounts(total: scenario.events), nil)
        case .events(let n): return (scenario.eventCounts(total: n), nil)
        case .duration(let seconds):
            return (scenario.datasources.map { _ in nil }, scenario.start + Int64(seconds.rounded(.up)))
        }
    }
}

public enum FixtureGenerator {
    public static func generate(
        _ scenario: Scenario, options: GenerateOptions, progress: ((GenerateProgress) -> Void)? = nil
    ) throws(GenerateError) -> [GeneratedFile] {
        let available = scenario.datasources.map(\.name)
        for name in options.datasources ?? [] where !available.contains(name) {
            throw .unknownDatasource(name, available: available)
        }
        let (counts, end) = options.size.limits(for: scenario)
        let selected = scenario.datasources.indices.filter { options.datasources?.contains(scenario.datasources[$0].name) ?? true }
        if options.output == .standardOutput, selected.count > 1 {
            throw .severalToStandardOutput(selected.map { scenario.datasources[$0].name })
        }

        var files: [GeneratedFile] = []
        for i in selected {
            let config = scenario.datasources[i]
            var stream = DatasourceStream(config, seed: options.seed ?? scenario.seed, start: scenario.start, end: end, shard: options.shard)
            let sink: FileSink
            do {
                switch options.output {
                case .standardOutput: sink = .standardOutput()
                case .directory(let dir): sink = try FileSink(path: "\(dir)/\(config.name).\(options.format.rawValue)")
                }
                defer { sink.close() }
                let file: GeneratedFile
                switch options.format {
                case .ndjson:
                    var encoder = NDJSONEncoder()
                    file = try write(&stream, limit: counts[i], encoder: &encoder, sink: sink, options: options, progress: progress) {
                        $0.encodeNext(into: &$1)
                    }
                case .csv:
                    var encoder = CSVEncoder()
                    encoder.append(raw: (config.columns.joined(separator: ",") + "\n").utf8)
                    file = try write(&stream, limit: counts[i], encoder: &encoder, sink: sink, options: options, progress: progress) {
                        $0.encodeNext(into: &$1)
                    }
                }
                files.append(file)
            } catch {
                throw .file(error)
            }
        }
        return files
    }

    static func write<Encoder: RowEncoder>(
        _ stream: inout DatasourceStream, limit: Int?, encoder: inout Encoder, sink: FileSink,
        options: GenerateOptions, progress: ((GenerateProgress) -> Void)?,
        encodeNext: (inout DatasourceStream, inout Encoder) -> (time: Int64, written: Bool)?
    ) throws(FileError) -> GeneratedFile {
        var written = 0
        var bytes = 0
        while limit.map({ stream.produced < $0 }) ?? true, let (_, owned) = encodeNext(&stream, &encoder) {
            if owned { written += 1 }
            if encoder.byteCount >= options.flushBytes {
                bytes += encoder.byteCount
                try encoder.withBytes { (buffer) throws(FileError) in try sink.write(buffer) }
                encoder.removeAllBytes()
                progress?(GenerateProgress(datasource: stream.name, events: stream.produced, target: limit))
            }
        }
        bytes += encoder.byteCount
        try encoder.withBytes { (buffer) throws(FileError) in try sink.write(buffer) }
        encoder.removeAllBytes()
        progress?(GenerateProgress(datasource: stream.name, events: stream.produced, target: limit))
        var file = GeneratedFile(datasource: stream.name, path: sink.path, events: written, streamEvents: stream.produced, bytes: bytes)
        (file.sessionsStarted, file.sessionsUnplaced) = stream.people
        return file
    }
}
