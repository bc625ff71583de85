import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole path with a real Alertmanager (Debian's prometheus-alertmanager, which CI and
/// `make deps` install): an alert posted to Alertmanager's API with amtool reaches `ops serve`
/// through its webhook, with the bearer token, and becomes an incident; its resolve lands in
/// the timeline. Short group timings keep it to seconds. Fails, never skips, when Alertmanager
/// is missing.
@Suite(.tags(.integration)) struct AlertmanagerEndToEndTests {
    static let amtool = Alertmanager.amtool

    @Test func anAlertPostedToAlertmanagerBecomesAnIncidentAndItsResolveJoinsTheTimeline() throws {
        guard Alertmanager.isInstalled else { return }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let token = "am-e2e-token-7f3a9c"
        let tokenFile = cli.path("token")
        try "\(token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServeProcess(cli, in: repo, arguments: ["--token-file", tokenFile])
        defer { server.kill() }

        let manager = try Alertmanager(cli, webhook: "http://127.0.0.1:\(server.port)/alertmanager", tokenFile: tokenFile)
        defer { manager.stop() }
        let port = manager.port

        let labels = ["alertname=DiskFull", "severity=page", "use_case=ops_copilot", "instance=db-1"]
        let add = try cli.run(
            Self.amtool,
            ["--alertmanager.url=http://127.0.0.1:\(port)", "alert", "add"] + labels
                + ["--annotation=summary=Disk full on db-1"], in: nil, environment: [:], stdin: nil)
        #expect(add.status == 0, "amtool: \(add.stderr)")
        let opened = try server.waitFor(seconds: 30) { log in
            log.split(separator: "\n").first { $0.contains("event=delivery status=200 action=opened alerts=DiskFull") }.map(String.init)
        }
        #expect(
            opened != nil,
            "no delivery from Alertmanager within 30 s; ops serve: \(server.log); alertmanager: \(manager.log)"
        )
        let list = try cli.ops(["incident", "list", "--json"], in: repo)
        let incidents = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(incidents.count == 1)
        #expect(incidents.first?["title"] as? String == "Disk full on db-1")
        #expect(incidents.first?["severity"] as? String == "SEV2")
        guard let id = incidents.first?["id"] as? String else { return }

        // Resolved: the same alert with an end in the past.
        let ended = rfc3339(Date().addingTimeInterval(-1))
        let resolve = try cli.run(
            Self.amtool,
            ["--alertmanager.url=http://127.0.0.1:\(port)", "alert", "add"] + labels
                + ["--annotation=summary=Disk full on db-1", "--end=\(ended)"], in: nil, environment: [:], stdin: nil)
        #expect(resolve.status == 0, "amtool: \(resolve.stderr)")
        let updated = try server.waitFor(seconds: 30) { log in
            log.contains("event=delivery status=200 action=updated alerts=DiskFull incidents=\(id)") ? true : nil
        }
        #expect(updated == true, "no resolve from Alertmanager within 30 s: \(server.log)")
        let show = try cli.ops(["incident", "show", id, "--json"], in: repo)
        let timeline = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["timeline"] as? [[String: Any]] ?? []
        let texts = timeline.compactMap { $0["text"] as? String }
        #expect(texts.filter { $0.hasPrefix("firing DiskFull [") }.count == 1)
        #expect(texts.filter { $0.hasPrefix("resolved DiskFull [") }.count == 1)

        #expect(!server.lines("delivery").contains { $0.contains("status=401") })
        #expect(server.stop() == 0)
        #expect(!server.log.contains(token))
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
    }
}

/// A real Alertmanager on a free loopback port whose one receiver is the webhook `ops serve`
/// listens on, with the bearer token from `tokenFile`. Short group timings keep tests to seconds.
final class Alertmanager {
    static let binary = "/usr/bin/prometheus-alertmanager"
    static let amtool = "/usr/bin/amtool"

    /// True when both tools are there; records a failure otherwise (a missing tool fails, never skips).
    static var isInstalled: Bool {
        for tool in [binary, amtool] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: install Debian's prometheus-alertmanager (make deps does)")
            return false
        }
        return true
    }

    let process = Process()
    let port: UInt16
    private let logPath: String

    /// Starts it and waits (at most 30 s) until it is ready.
    init(_ cli: CLI, webhook: String, tokenFile: String) throws {
        port = try freeLoopbackPort()
        let config = """
            route:
              receiver: ops
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: ops
                webhook_configs:
                  - url: \(webhook)
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials_file: \(tokenFile)
            """
        try config.write(toFile: cli.path("alertmanager.yml"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        // No cluster listener: it would take port 9094 on every interface.
        process.arguments = [
            "--config.file=\(cli.path("alertmanager.yml"))", "--storage.path=\(cli.path("alertmanager-data"))",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
        ]
        logPath = cli.path("alertmanager.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let ready = try ServeCLITests.waitUntil(seconds: 30) { [process, port] in
            (try? HTTPProbe.send(port: port, method: "GET", path: "/-/ready"))?.status == 200 || !process.isRunning
        }
        guard ready, process.isRunning else {
            stop()
            throw ServeTestError("Alertmanager did not become ready on port \(port): \(log)")
        }
    }

    /// What it wrote so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Posts one firing alert with amtool; returns amtool's standard error when it fails.
    func add(_ cli: CLI, labels: [String], annotations: [String], end: String? = nil) throws -> CLI.Result {
        try cli.run(
            Self.amtool,
            ["--alertmanager.url=http://127.0.0.1:\(port)", "alert", "add"] + labels + annotations.map { "--annotation=\($0)" }
                + (end.map { ["--end=\($0)"] } ?? []), in: nil, environment: [:], stdin: nil)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// RFC 3339 in UTC to the second, as amtool's --end takes it.
private func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}
