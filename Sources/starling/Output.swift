import Foundation
import Glibc

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
}

/// Runs a command body, mapping usage errors and thrown errors to the exit codes of the CLI.
func runCommand(_ verb: String, help: String, _ arguments: [String], _ body: (inout Arguments) throws -> Int32) -> Int32 {
    var args = Arguments(arguments, verb: verb)
    if args.wantsHelp {
        print(help)
        return 0
    }
    do {
        return try body(&args)
    } catch let error as UsageError {
        printError("\(error.message)\nRun 'starling help \(error.verb)' for usage.")
        return 1
    } catch {
        printError("\(error)")
        return 1
    }
}

/// Whether standard error is a terminal (progress is shown only then).
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
