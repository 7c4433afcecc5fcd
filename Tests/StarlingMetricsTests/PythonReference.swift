import Foundation

/// Runs the PyPI `hdrhistogram` package (the reference implementation) through the Python named by
/// `STARLING_PYTHON`. Tested with hdrhistogram 0.10.8.
enum PythonReference {
    static var python: String? { ProcessInfo.processInfo.environment["STARLING_PYTHON"] }

    /// Percentiles compared in both directions. With 10,000 or 20,000 values each target rank is an
    /// integer, where the Python port's rounding (`int(x + 0.5)`) and HdrHistogram's `ceil` agree.
    static let percentiles: [Double] = [50, 75, 90, 99, 99.9, 99.99, 100]

    /// What the script prints for one histogram.
    struct Summary: Decodable {
        var tag: String?
        var total: UInt64
        var max: UInt64
        var mean: Double
        var stddev: Double
        var percentiles: [UInt64]
        /// `[lowest value of slot, count]` for every non-empty slot.
        var slots: [[UInt64]]
        /// `histogram.encode()`: Base64 of the compressed V2 encoding.
        var encoded: String
    }

    static let script = #"""
        import json, sys
        from hdrh.histogram import HdrHistogram
        from hdrh.log import HistogramLogReader, HistogramLogWriter

        def summary(h, percentiles):
            slots = []
            for i in range(h.counts_len):
                c = h.get_count_at_index(i)
                if c:
                    slots.append([h.get_value_from_index(i), c])
            return {"tag": h.get_tag(), "total": h.get_total_count(), "max": h.get_max_value(),
                    "mean": h.get_mean_value(), "stddev": h.get_stddev(),
                    "percentiles": [h.get_value_at_percentile(p) for p in percentiles],
                    "slots": slots, "encoded": h.encode().decode("ascii")}

        mode, path, percentiles = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        out = []
        if mode == "read-log":
            reader = HistogramLogReader(path, HdrHistogram(1, 3600000000, 3))
            while True:
                h = reader.get_next_interval_histogram()
                if h is None:
                    break
                out.append(summary(h, percentiles))
        elif mode == "write-log":
            intervals = json.load(open(path))
            with open(path + ".hlog", "w") as f:
                writer = HistogramLogWriter(f)
                writer.output_comment("[written by the PyPI hdrhistogram package]")
                writer.output_base_time(1700000000000)
                writer.output_legend()
                for n, interval in enumerate(intervals):
                    h = HdrHistogram(1, 3600000000, 3)
                    for value, count in interval:
                        h.record_value(value, count)
                    writer.output_interval_histogram(h, float(n), float(n + 1), 1000.0)
                    out.append(summary(h, percentiles))
        print(json.dumps(out))
        """#

    /// Runs the script in `mode` on `path`; returns its summaries.
    static func run(mode: String, path: String, python: String) throws -> [Summary] {
        let scriptURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-hdr-reference-\(UUID().uuidString).py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scriptURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let percentileArgument = "[" + percentiles.map { "\($0)" }.joined(separator: ",") + "]"
        process.arguments = [scriptURL.path, mode, path, percentileArgument]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceFailure(message: "python exited \(process.terminationStatus): \(errorText)")
        }
        return try JSONDecoder().decode([Summary].self, from: data)
    }

    struct ReferenceFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
