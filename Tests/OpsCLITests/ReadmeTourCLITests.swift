import Foundation
import Testing

/// README.md's "Five-minute tour", pasted line by line into a shell, as a new user would.
/// The lines are read from the README, so the test breaks when the README drifts.
@Suite struct ReadmeTourCLITests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    /// Lines of the tour that cannot run unattended, and why.
    static let skipped: [(prefix: String, why: String)] = [
        ("$EDITOR", "opens an editor and waits for a person"),
        ("ops serve", "runs an HTTP server until it is stopped"),
    ]

    /// The command lines of the first ```sh block after the tour's heading.
    static func tourLines() throws -> [String] {
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        guard let heading = text.range(of: "## Five-minute tour\n"),
            let open = text.range(of: "```sh\n", range: heading.upperBound..<text.endIndex),
            let close = text.range(of: "\n```", range: open.upperBound..<text.endIndex)
        else { return [] }
        return text[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
    }

    @Test func everyLineOfTheTourRunsAsWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let lines = try Self.tourLines()
        #expect(lines.count >= 20, "the tour's code block was not found in README.md")
        let path = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var folder = cli.home
        var short: String?
        var ran = 0
        for line in lines {
            if Self.skipped.contains(where: { line.hasPrefix($0.prefix) }) { continue }
            if line.hasPrefix("cd ") {
                // Each line runs in its own shell, so the folder is carried here.
                folder = String(line.dropFirst(3)).components(separatedBy: " ")[0].replacingOccurrences(of: "~", with: cli.home)
                continue
            }
            var script = line
            if line.contains("7f3a") {
                let id = try #require(short, "\(line): the tour uses 7f3a before it opened an incident")
                script = line.replacingOccurrences(of: "7f3a", with: id)
            }
            if line.hasPrefix("id=$(") { script += "\nprintf '%s' \"$id\"" }
            if line.hasPrefix("ops alert ingest payload.json") {
                let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/alertmanager-firing.json")
                try FileManager.default.copyItem(atPath: fixture.path, toPath: folder + "/payload.json")
            }
            if line.hasPrefix("ops sync") {
                // The team's shared remote: a bare repository next to the clone.
                _ = try cli.git("init", "-q", "--bare", cli.path("shared.git"), in: cli.home)
                _ = try cli.git("remote", "add", "origin", cli.path("shared.git"), in: folder)
            }
            let result = try cli.run("/bin/sh", ["-c", script], in: folder, environment: ["PATH": path], stdin: nil)
            ran += 1
            // Verdicts may say no (exit 1): lint finds the new postmortem's empty root cause.
            let verdict = line.hasPrefix("ops lint") || line.contains("ops release check")
            #expect(result.status == 0 || (verdict && result.status == 1), "\(line)\n\(result.stderr)")
            #expect(!result.stderr.contains("ops: "), "\(line)\n\(result.stderr)")
            if line.hasPrefix("id=$(") {
                let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(id.hasPrefix("INC-"), "\(line)\n\(result.stderr)")
                short = String(id.suffix(8).prefix(4)).lowercased()
            }
        }
        #expect(ran == lines.count - Self.skipped.count - 1)
        let id = try #require(short)
        let show = try cli.ops(["incident", "show", id, "--json"], in: folder)
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect(json["status"] as? String == "resolved")
        #expect((json["runbook_progress"] as? [String: Any])?["done"] as? Int == 1)
        #expect(try cli.git("ls-remote", cli.path("shared.git"), "main", in: folder).hasSuffix("refs/heads/main\n"))
    }
}
