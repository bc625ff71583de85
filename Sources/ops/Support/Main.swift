import ArgumentParser
import Foundation
import OpsKit

/// The entry point: parses, runs, and turns every error into one line and the exit codes of
/// docs/DESIGN.md §9 (0 ok, 1 a check said no, 2 bad input or usage, 3 repository or Git failure).
@main
enum Main {
    static func main() {
        let arguments = movingLeadingDirectoryOption(Array(CommandLine.arguments.dropFirst()))
        do {
            try refuseArgumentsThatAreNotUTF8()
            var command = try Ops.parseAsRoot(arguments)
            try command.run()
        } catch let error as OpsError {
            FileHandle.standardError.write(Data("ops: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = Ops.exitCode(for: error)
            let message = Ops.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }  // --help, --version
                Foundation.exit(0)
            }
            if error is ExitCode {
                Foundation.exit(code.rawValue)  // a verdict already printed its result
            }
            // One line: the parser's own message, then where to read more. Its usage errors
            // default to 64 (EX_USAGE); ops uses 2 for every bad input.
            let said = Ops.message(for: error).replacingOccurrences(of: "Error: ", with: "")
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var line = said.joined(separator: " ").replacingOccurrences(of: ":.", with: ":")
            while line.hasSuffix(".") { line.removeLast() }
            if let more = message.split(separator: "\n").first(where: { $0.contains("See '") })?.trimmingCharacters(in: .whitespaces) {
                line += ". " + more
            }
            FileHandle.standardError.write(Data("ops: \(line)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// Swift's `CommandLine.arguments` turns bytes that are not UTF-8 into U+FFFD, which ops
    /// would then store; the raw `argv` shows them, so every command refuses them alike.
    static func refuseArgumentsThatAreNotUTF8() throws {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Data(bytes: raw, count: strlen(raw))
            _ = try UTF8Text.decode(bytes, what: "argument \(index)")
        }
    }

    /// `ops -C DIR incident list` works as in Git: a leading `-C DIR` is handed to the subcommand,
    /// whose options include it.
    static func movingLeadingDirectoryOption(_ arguments: [String]) -> [String] {
        var rest = arguments
        var moved: [String] = []
        while rest.count >= 2, rest[0] == "-C" {
            moved += rest.prefix(2)
            rest.removeFirst(2)
        }
        guard !moved.isEmpty else { return arguments }
        if let end = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: end)
            return rest
        }
        return rest + moved
    }
}
