import Foundation
import Glibc

/// Folders Starling writes into.
public enum Folder {
    /// The reason given when a path that should be a folder is a file.
    public static let fileInTheWay = "it is a file, not a folder"

    /// `mkdir -p` with `errno` messages (a file in the way, a read-only or virtual file system, no
    /// permission), never a Foundation error dump; and the folder must be writable.
    public static func create(_ path: String) throws(FileError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .cannotCreateDirectory(path: path, reason: fileInTheWay) }
            guard access(path, W_OK | X_OK) == 0 else { throw .cannotCreateDirectory(path: path, reason: "not writable (\(String(cString: strerror(errno))))") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try create(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            let code = errno
            let shownParent = parent.isEmpty ? "." : parent
            let reason = code == ENOENT && FileManager.default.fileExists(atPath: shownParent)
                ? "\(shownParent) does not accept new folders (\(String(cString: strerror(code))))"
                : String(cString: strerror(code))
            throw .cannotCreateDirectory(path: path, reason: reason)
        }
    }
}
