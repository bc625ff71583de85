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
    /// Throws when the program cannot be started; `missing` says what to install. Started with
    /// posix_spawn and waited for with waitpid: Foundation's `Process` polls for the exit, which
    /// costs tens of milliseconds a run, and a check of a range runs ssh-keygen thrice a commit.
    static func run(
        _ arguments: [String], input: Data = Data(), environment: [String: String], scratch: Scratch, missing: String
    ) throws -> Result {
        let inputFile = try scratch.write("stdin", input)
        let outputFile = scratch.path + "/stdout", errorFile = scratch.path + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        guard spawned == 0 else { throw OpsError.repository("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw OpsError.repository("cannot wait for \(arguments[0]): \(String(cString: strerror(errno)))") }
        }
        let errors = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
        // The exit status, or 128 + the signal that ended it, as a shell reports them.
        let exited = status & 0x7f == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // env answers 127 when the program is not on PATH.
        if exited, code == 127, errors.contains("No such file") {
            throw OpsError.input("\(arguments[0]) is not installed or not on PATH. \(missing)")
        }
        return Result(status: code, output: FileManager.default.contents(atPath: outputFile) ?? Data(), errors: errors)
    }
}
