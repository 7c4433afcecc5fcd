import Foundation
import Glibc
import StarlingRun

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("starling: \(message)\n".utf8))
}

/// Parses `arguments` with `spec` (printing its help on `--help`), runs `body`, and maps usage
/// errors and thrown errors to the exit codes of the CLI: one line on standard error, exit 1.
func runCommand(_ spec: CommandSpec, _ arguments: [String], _ body: (ParsedArguments) throws -> Int32) -> Int32 {
    do {
        guard let parsed = try spec.parse(arguments) else {
            print(spec.help)
            return 0
        }
        return try body(parsed)
    } catch let error as any ExitStatusError {
        printError(error.description)
        return error.exitStatus
    } catch let error as UsageError {
        printError("\(error.message)\nRun 'starling help \(error.verb)' for usage.")
        return 1
    } catch let error as any CustomStringConvertible & Error {
        printError(error.description)
        return 1
    } catch {
        printError("\(error)")
        return 1
    }
}

/// Whether standard error is a terminal (progress is shown only then).
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

/// The exit codes every verb's help states.
let exitCodesText = """
0 passed; 1 usage, bad input, target unreachable or lost, token refused, pipe missing (one line says
which); 2 a threshold, check or regression failed; 3 the run is invalid (Starling could not keep its
schedule, or the target could not take the offered rate); 4 interrupted (SIGINT/SIGTERM; results
are written, the verdict is "interrupted", never "passed").
"""
