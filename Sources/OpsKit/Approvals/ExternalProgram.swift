import Foundation

/// A program ops runs and waits for (`ssh-keygen`, `gpg`), found on PATH as Git finds it, in a
/// private scratch folder that is removed afterwards.
struct ExternalProgram {
    struct Result {
        var status: Int32
        var output: Data
        var errors: String

        var outputText: String { String(decoding: output, as: UTF8.self) }
        /// The program's last line on standard error: what it says went wrong.
        var lastError: String {
            errors.split(whereSeparator: \.isNewline).last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        }
    }

    /// A folder only this user can read, for the files a program reads and writes; removed on deinit.
    final class Scratch {
        let path: String

        init() throws {
            let template = NSTemporaryDirectory() + "/ops-sign.XXXXXX"
            var bytes = Array(template.utf8CString)
            guard let made = mkdtemp(&bytes) else {
                throw OpsError.repository("cannot make a temporary folder in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
            }
            path = String(cString: made)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// Writes `data` as `name` in the folder and returns its path.
        func write(_ name: String, _ data: Data) throws -> String {
            let file = path + "/" + name
            guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw OpsError.repository("cannot write \(file)")
            }
            return file
        }
    }

    /// Runs `arguments` (the first is the program) with `input` on standard input. Standard output
    /// and error go to files in `scratch`, so neither pipe can fill up and stall the program.
    /// Throws when the program cannot be started; `missing` says what to install.
    static func run(
        _ arguments: [String], input: Data = Data(), environment: [String: String], scratch: Scratch, missing: String
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let inputFile = try scratch.write("stdin", input)
        let outputFile = try scratch.write("stdout", Data())
        let errorFile = try scratch.write("stderr", Data())
        guard let stdin = FileHandle(forReadingAtPath: inputFile), let stdout = FileHandle(forWritingAtPath: outputFile),
            let stderr = FileHandle(forWritingAtPath: errorFile)
        else { throw OpsError.repository("cannot open the files in \(scratch.path)") }
        defer {
            try? stdin.close()
            try? stdout.close()
            try? stderr.close()
        }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw OpsError.repository("cannot run \(arguments[0]): \(error.localizedDescription)") }
        process.waitUntilExit()
        let errors = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
        // env answers 127 when the program is not on PATH.
        if process.terminationReason == .exit, process.terminationStatus == 127, errors.contains("No such file") {
            throw OpsError.input("\(arguments[0]) is not installed or not on PATH. \(missing)")
        }
        return Result(
            status: process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
            output: FileManager.default.contents(atPath: outputFile) ?? Data(), errors: errors)
    }
}
