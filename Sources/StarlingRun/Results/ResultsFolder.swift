import Foundation
import Glibc

/// A run's results folder, and the one type that writes and reads its files: `summary.json`, the
/// `<stream>.hgrm` percentile distributions, `intervals.hlog`, `totals.hlog`, `timeline.csv`, `deadletter/`, the
/// reports (`report.md`, `junit.xml`, `report.html`) and, for shards, `oracle-state.json`.
public struct ResultsFolder: Sendable {
    /// The files of a results folder.
    public enum File: String, Sendable, CaseIterable {
        case summary = "summary.json"
        case intervalLog = "intervals.hlog"
        /// Every stream's whole-run histogram at full resolution (one interval per tag), what `merge` adds.
        case totals = "totals.hlog"
        case timeline = "timeline.csv"
        case reportMarkdown = "report.md"
        case junit = "junit.xml"
        case reportHTML = "report.html"
        case oracleState = "oracle-state.json"
        /// A replay folder's ledger (`starling replay`).
        case replay = "replay.json"
        /// Version 1's single dead-letter file (removed when a folder is reused).
        case legacyDeadLetter = "deadletter.ndjson"
    }

    public let path: String

    /// A folder to read (it must exist).
    public init(existing path: String) throws(ResultsError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path) }
        guard isDirectory.boolValue else { throw .notAFolder(path) }
        self.path = path
    }

    private init(preparedAt path: String) {
        self.path = path
    }

    /// A folder for a new run: created (with its parents) when missing; when it holds an earlier
    /// run's results, those files are removed first, so nothing stale — above all no old dead
    /// letter — is mistaken for this run's. Files Starling does not own are left alone.
    public static func prepare(_ path: String) throws(ResultsError) -> ResultsFolder {
        try makeDirectories(path)
        let folder = ResultsFolder(preparedAt: path)
        try folder.removeOwnedFiles()
        return folder
    }

    /// Whether an earlier run's files are in the folder.
    public static func holdsResults(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/" + File.summary.rawValue)
    }

    public func url(_ file: File) -> String { path + "/" + file.rawValue }

    public func histogramPath(stream: String) -> String { path + "/" + stream + ".hgrm" }

    public var deadLetterPath: String { path + "/" + DeadLetter.folderName }

    public func exists(_ file: File) -> Bool { FileManager.default.fileExists(atPath: url(file)) }

    /// Writes `text` to `file` (atomically: a reader never sees half a file).
    public func write(_ text: String, to file: File) throws(ResultsError) {
        try Self.writeText(text, toPath: url(file))
    }

    /// Opens `file` for streaming writes (created or truncated).
    public func openSink(_ file: File) throws(ResultsError) -> FileSink {
        do {
            return try FileSink(path: url(file))
        } catch {
            throw .unwritable(url(file), error.description)
        }
    }

    /// The text of `file`.
    public func read(_ file: File) throws(ResultsError) -> String {
        try Self.read(url(file))
    }

    public static func writeText(_ text: String, toPath path: String) throws(ResultsError) {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritable(path, Self.reason(of: error))
        }
    }

    static func read(_ path: String) throws(ResultsError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, "cannot open it") }
        return String(decoding: data, as: UTF8.self)
    }

    static func makeDirectories(_ path: String) throws(ResultsError) {
        do {
            try Folder.create(path)
        } catch .cannotCreateDirectory(let blocked, let reason) where reason == Folder.fileInTheWay {
            throw blocked == path ? .notAFolder(path) : .unusable(path, "\(blocked) is a file, not a folder")
        } catch {
            throw .unusable(path, Self.reasonText(error))
        }
    }

    static func reasonText(_ error: FileError) -> String {
        switch error {
        case .cannotCreateDirectory(_, let reason), .cannotOpen(_, let reason), .writeFailed(_, let reason): return reason
        }
    }

    /// Space set aside on the folder's disk from the start of a run to its end, for the files written
    /// then (summary, reports, histograms: a few hundred KiB for `ci-smoke`): a dead letter that
    /// fills the disk during the load cannot leave the run without its summary.
    public static let reserveBytes = 1 << 20
    static let reserveName = ".starling-reserve"

    /// Sets `bytes` aside (`reserveBytes`) in a file of the folder: fails, before anything is sent,
    /// when the disk has not that much free. `releaseReserve` gives it back for the results.
    public func reserve(bytes: Int = ResultsFolder.reserveBytes) throws(ResultsError) {
        let file = path + "/" + Self.reserveName
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unusable(path, String(cString: strerror(errno))) }
        let failure = posix_fallocate(descriptor, 0, off_t(bytes))
        _ = close(descriptor)
        guard failure == 0 else {
            _ = unlink(file)
            var disk = statvfs()
            let free = statvfs(path, &disk) == 0 ? " (\(Int(disk.f_bavail) * Int(disk.f_frsize) / 1024) KiB free)" : ""
            throw .unusable(path, failure == ENOSPC
                ? "its disk is full\(free): a run needs \(bytes / 1024) KiB there for its summary and reports; free some space or give --out on another disk"
                : "cannot set space aside for the results: \(String(cString: strerror(failure)))")
        }
    }

    /// Gives the reserved space back (before the results are written); nothing when none is held.
    public func releaseReserve() {
        _ = unlink(path + "/" + Self.reserveName)
    }

    private func removeOwnedFiles() throws(ResultsError) {
        let fileManager = FileManager.default
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: path)
        } catch {
            throw .unusable(path, Self.reason(of: error))
        }
        let owned = Set(File.allCases.map(\.rawValue) + [DeadLetter.folderName, Self.reserveName])
        for name in names where owned.contains(name) || name.hasSuffix(".hgrm") {
            do {
                try fileManager.removeItem(atPath: path + "/" + name)
            } catch {
                throw .unusable(path, "cannot remove the earlier run's \(name): \(Self.reason(of: error))")
            }
        }
    }

    /// The POSIX reason of a Foundation file error, not its `NSCocoaErrorDomain` dump.
    public static func reason(of error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch ns.code {
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteVolumeReadOnlyError: return "read-only file system"
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
        default: return ns.localizedDescription
        }
    }
}

/// Errors reading or writing a results folder: one line naming the path and the reason.
public enum ResultsError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case notAFolder(String)
    case unusable(String, String)
    case unreadable(String, String)
    case unwritable(String, String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path) does not exist; is this a Starling results folder?"
        case .notAFolder(let path): return "\(path) is a file, not a folder: give a folder for the results"
        case .unusable(let path, let reason): return "cannot use \(path) as a results folder: \(reason)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
