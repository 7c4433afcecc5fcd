import Foundation

/// This process's memory as Linux reports it in `/proc/self/status`.
public enum ProcessMemory {
    /// Resident set size now (VmRSS), in bytes.
    public static var resident: Int? { kilobytes("VmRSS:").map { $0 * 1024 } }

    /// Peak resident set size (VmHWM), in bytes.
    public static var peakResident: Int? { kilobytes("VmHWM:").map { $0 * 1024 } }

    /// Resets the kernel's peak-RSS mark (`clear_refs` value 5), so the next peak is measured afresh.
    public static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func kilobytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            return line.split(separator: " ").compactMap { Int($0) }.first
        }
        return nil
    }
}
