public import ArgumentParser
import Foundation
import OpsKit

/// `--at` and `--force`, taken by every command that changes an incident.
struct ChangeOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("When it happened: 14:02 (team time zone), -15m, -2h or 2026-11-22T14:02:00Z. Default: now.", valueName: "time"))
    var at: String?

    @Flag(help: "Record it even though the clock points would be out of order.")
    var force = false
}

/// `--format table|json|csv` (or `--json`), taken by every listing.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output: table, json or csv.")
    var format: OutputFormat = .table

    @Flag(help: "Same as --format json.")
    var json = false

    var chosen: OutputFormat { json ? .json : format }
}

extension OutputFormat: ExpressibleByArgument {}

extension OpsContext {
    /// A time as typed for `option` (`--at`), in the team's zone; nil when not given. A time that
    /// does not read names the option: `--at '25:99' is not a time. Use 14:02 …`.
    func time(_ text: String?, option: String, allowFuture: Bool = false) throws -> Date? {
        guard let text else { return nil }
        let workspace = try workspace()
        let (now, zone) = (workspace.clock(), try workspace.config().timeZone)
        do {
            return try TimeInput.parse(text, now: now, zone: zone, allowFuture: allowFuture)
        } catch let error as OpsError where error.kind == .input && error.location == nil {
            throw OpsError.input("\(option) \(error.detail)")
        }
    }

    /// Who is making the change: `--as`, then OPS_USER, then Git's identity.
    func author(_ writer: WriterOptions) throws -> Author {
        try workspace().author(writer.author)
    }

    /// Opens `$VISUAL` or `$EDITOR` (vi when neither is set) on `text`; returns what was saved.
    func edit(_ text: String, fileName: String) throws -> String {
        let chosen = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty }
        // Like Git: a configured editor runs as it is; vi, the fallback, needs a terminal.
        guard chosen != nil || isatty(0) == 1 else {
            throw OpsError.input("no editor: set EDITOR, or run this in a terminal")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ops-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(fileName)
        try Data(text.utf8).write(to: file)
        let editor = chosen ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Through the shell, so EDITOR may carry arguments ("code --wait"); the file is passed as $1.
        process.arguments = ["-c", "\(editor) \"$1\"", "ops-editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpsError.input("the editor (\(editor)) exited with status \(process.terminationStatus); nothing was written")
        }
        return try UTF8Text.decode(Data(contentsOf: file), what: "the text saved in the editor")
    }

    /// Standard input as text: refused when it is not UTF-8 or is over the note limit (read no further).
    func standardInput() throws -> String {
        var data = Data()
        while data.count <= InputLimits.noteBytes,
            let chunk = try FileHandle.standardInput.read(upToCount: InputLimits.noteBytes + 1 - data.count), !chunk.isEmpty
        {
            data.append(chunk)
        }
        guard data.count <= InputLimits.noteBytes else {
            throw OpsError.input(
                "standard input is over the limit of \(InputLimits.noteBytes) bytes (16 KiB). "
                    + "Split it into several notes, or commit the long text as a file and note where it is")
        }
        return try UTF8Text.decode(data, what: "standard input")
    }

    /// Tells the person what a change did, on standard error.
    func report(_ outcome: IncidentService.Outcome, _ done: String) {
        if let unchanged = outcome.unchanged {
            note("Nothing to change: \(unchanged).")
        } else {
            note("\(outcome.incident.id) \(done).")
        }
        for warning in outcome.warnings { note("warning: \(warning)") }
        reportAnnounced(outcome.announced)
    }

    /// Says whether each message a command announced reached its channel, on standard error.
    func reportAnnounced(_ results: [AnnouncementResult]) {
        for result in results {
            if result.sent {
                note("Told \(result.channel) (\(result.event)).")
            } else {
                note(
                    "Not sent to \(result.channel) yet (\(result.event)): \(result.problem ?? "it waits its turn"). It is kept; ops notify flush retries it.")
            }
        }
    }

    /// Tells the person a record's new status, or that it had it already, on standard error.
    func reportStatus(of id: String, _ status: String, changed: Bool) {
        note(changed ? "\(id) is now \(status)." : "Nothing to change: \(id) is already \(status).")
    }

    /// Names the files a listing passed over because they could not be read, on standard error.
    func noteSkipped(_ problems: [Problem]) {
        for problem in problems { note("skipped \(problem.description)") }
    }

    /// A listing on standard output or, instead of an empty table, `none` on standard error.
    func outputListing(isEmpty: Bool, format: OutputFormat, none: String, _ render: () throws -> String) rethrows {
        if isEmpty && format == .table {
            note(none)
        } else {
            output(try render(), terminated: false)
        }
    }

    /// A file named on the command line, or standard input for `-`: a name for messages, and its bytes.
    func input(_ file: String) throws -> (name: String, data: Data) {
        if file == "-" { return ("standard input", FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: Workspace.absolute(file, from: currentDirectory)) else {
            throw OpsError.input("cannot read \(file): no such file")
        }
        return (file, data)
    }
}
