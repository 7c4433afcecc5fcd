import Foundation
import StarlingRun

/// The "query cost" table of the reports: per checked pipe, what its combinations cost the server
/// after settling (`statistics.rows_read`, `bytes_read`, `elapsed`) and the share of its datasource
/// one query reads on average (1.0: every query scans it all — the sorting key does not help).
enum CostTable {
    static let header = ["pipe", "combinations", "rows read", "bytes read", "server time", "rows read / datasource rows"]

    static func rows(_ s: RunSummary) -> [[String]] {
        (s.cost ?? [:]).sorted { $0.key < $1.key }.map { pipe, c in
            [pipe, "\(c.combinations)", ReportText.grouped(c.rowsRead), bytes(c.bytesRead), ReportText.ms(c.elapsedMs) + " ms",
             c.readRatio.map { String(format: "%.3f", $0) } ?? "n/a"]
        }
    }

    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }
}
