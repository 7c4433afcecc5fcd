import Foundation
import StarlingSim

/// A run's UTC times as text, written and read in one place: ISO 8601 instants to the second
/// (`2026-11-30T18:00:00Z`: a summary's `started_at`, `--start-at`) and the stamp of a default
/// results folder (`2026-11-30T180000Z`: no colons, which some file systems refuse).
public enum UTCTime {
    /// `2026-11-30T18:00:00Z` of `nanos` since the epoch.
    public static func iso(nanos: Int64) -> String {
        formatTimestamp(nanos / 1_000_000_000).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    /// Nanoseconds since the epoch of an ISO 8601 instant (`2026-11-30T18:00:00Z`); nil otherwise.
    public static func nanos(iso text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1e9).rounded()) }
    }

    /// `2026-11-30T180000Z` of Unix second `seconds` (default: now).
    public static func folderStamp(_ seconds: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        iso(nanos: seconds * 1_000_000_000).replacingOccurrences(of: ":", with: "")
    }
}
