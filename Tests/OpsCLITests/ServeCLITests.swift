import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ops serve` as Alertmanager meets it: the built binary on a loopback port, real HTTP.
@Suite struct ServeCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let token = "s3cret-token-0123456789abcdef"

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))
    }

    static func commitCount(_ cli: CLI, _ repo: String) throws -> Int {
        Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    @Test func deliveriesOpenOneIncidentAbsorbRepeatsAndEveryRefusalWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let server = try ServeProcess(cli, in: repo, arguments: ["--max-body", "100000"], environment: ["OPS_SERVE_TOKEN": Self.token])
        defer { server.kill() }
        let headers = webhookHeaders(token: Self.token)
        let firing = try Self.fixture("alertmanager-firing.json")
        let start = try Self.commitCount(cli, repo)

        let first = try HTTPProbe.send(port: server.port, headers: headers, body: firing)
        #expect(first.status == 200, "\(first.text)")
        let opened = try first.json()["opened"] as? [String] ?? []
        #expect(opened.count == 1)
        let again = try HTTPProbe.send(port: server.port, headers: headers, body: firing)
        #expect(again.status == 200)
        #expect(try again.json()["opened"] as? [String] == [] && again.json()["unchanged"] as? Int == 1)
        #expect(try Self.commitCount(cli, repo) == start + 1)

        // Refusals: each a 4xx with a reason, none writes anything.
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let noToken = try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: nil), body: firing)
        #expect(noToken.status == 401 && noToken.headers["www-authenticate"] == "Bearer")
        let wrongToken = try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: "guess-\(Self.token)"), body: firing)
        #expect(wrongToken.status == 401)
        let basic = try HTTPProbe.send(
            port: server.port, headers: webhookHeaders(token: nil).merging(["Authorization": "Basic \(Self.token)"]) { $1 },
            body: firing)
        #expect(basic.status == 401)
        var oversized = Data("{\"version\": \"4\", \"alerts\": [], \"pad\": \"".utf8)
        oversized.append(Data(repeating: UInt8(ascii: "x"), count: 150_000))
        oversized.append(Data("\"}".utf8))
        let tooLarge = try HTTPProbe.send(port: server.port, headers: headers, body: oversized)
        #expect(tooLarge.status == 413, "\(tooLarge.text)")
        let malformed = try HTTPProbe.send(port: server.port, headers: headers, body: Data("{\"version\": \"4\", \"alerts\": [".utf8))
        #expect(malformed.status == 400)
        #expect(try (malformed.json()["error"] as? String ?? "").contains("not valid JSON"))
        let oldVersion = try HTTPProbe.send(port: server.port, headers: headers, body: Data("{\"version\": \"3\", \"alerts\": []}".utf8))
        #expect(oldVersion.status == 400)
        let form = try HTTPProbe.send(port: server.port, headers: headers.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 }, body: firing)
        #expect(form.status == 415)
        let get = try HTTPProbe.send(port: server.port, method: "GET", headers: headers)
        #expect(get.status == 405 && get.headers["allow"] == "POST")
        let elsewhere = try HTTPProbe.send(port: server.port, path: "/api/v2/alerts", headers: headers, body: firing)
        #expect(elsewhere.status == 404)
        // Not HTTP at all, or a broken length: the connection is dropped, the server goes on.
        _ = try HTTPProbe.raw(port: server.port, Data("NOT HTTP\r\n\r\n".utf8))
        _ = try HTTPProbe.raw(port: server.port, Data("POST /alertmanager HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8))
        _ = try HTTPProbe.raw(port: server.port, Data([0xff, 0xfe, 0x00, 0x0a, 0x0d, 0x0a]))
        #expect(try HTTPProbe.send(port: server.port, method: "GET", path: "/healthz").status == 200)
        #expect(server.process.isRunning)
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        // A resolve joins the timeline: one more commit.
        let resolved = try HTTPProbe.send(port: server.port, headers: headers, body: try Self.fixture("alertmanager-resolved.json"))
        #expect(resolved.status == 200)
        #expect(try resolved.json()["updated"] as? [String] == opened)
        #expect(try Self.commitCount(cli, repo) == start + 2)
        let list = try cli.ops(["incident", "list", "--json"], in: repo)
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count == 1)

        let health = try HTTPProbe.send(port: server.port, method: "GET", path: "/healthz")
        #expect(health.status == 200 && health.text == "ok\n")
        let metrics = try HTTPProbe.send(port: server.port, method: "GET", path: "/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        for line in [
            "ops_serve_incidents_opened_total 1", "ops_serve_duplicates_absorbed_total 1", "ops_serve_deliveries_total 3",
            "ops_serve_commits_total 2", "ops_serve_errors_total{reason=\"unauthorized\"} 3",
            "ops_serve_errors_total{reason=\"too_large\"} 1", "ops_serve_errors_total{reason=\"bad_payload\"} 2",
            "ops_serve_errors_total{reason=\"unsupported_media_type\"} 1",
            "ops_serve_requests_total{path=\"/alertmanager\",code=\"200\"} 3", "ops_serve_commit_duration_seconds_count 3",
        ] {
            #expect(metrics.text.contains(line + "\n"), "\(line) in \(metrics.text)")
        }

        #expect(server.stop() == 0)
        // One log line per delivery, with what it did; the token never appears.
        let deliveries = server.lines("delivery")
        #expect(deliveries.count == 10, "\(server.log)")
        #expect(deliveries.first?.contains("status=200 action=opened alerts=HighLatencyP95 incidents=\(opened.first ?? "?")") == true)
        #expect(deliveries.contains { $0.contains("status=200 action=absorbed") })
        #expect(deliveries.filter { $0.contains("status=401 action=refused") }.count == 3)
        #expect(deliveries.allSatisfy { $0.contains("duration_ms=") })
        #expect(!server.log.contains(Self.token))
        #expect(server.lines("stopped").count == 1)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
    }

    @Test func refusesToStartOnAnOpenAddressWithoutATokenAndSaysWhy() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let env = ["OPS_USER": "alice"]
        let open = try cli.ops(["serve", "--listen", "0.0.0.0:0"], in: repo, environment: env)
        #expect(open.status == 2)
        #expect(
            open.stderr
                == "ops: --listen 0.0.0.0:0 can be reached from other machines, so ops serve needs a token: set OPS_SERVE_TOKEN or pass --token-file FILE\n")
        let noPort = try cli.ops(["serve", "--listen", "127.0.0.1"], in: repo, environment: env)
        #expect(noPort.status == 2 && noPort.stderr.hasPrefix("ops: --listen '127.0.0.1' has no port."))
        let name = try cli.ops(["serve", "--listen", "alertmanager.example.com:9095"], in: repo, environment: env)
        #expect(name.status == 2 && name.stderr.contains("is not an IP address"))
        try "\n".write(toFile: cli.path("empty-token"), atomically: true, encoding: .utf8)
        let empty = try cli.ops(["serve", "--token-file", cli.path("empty-token")], in: repo, environment: env)
        #expect(empty.status == 2 && empty.stderr.contains("is empty"))
        let both = try cli.ops(["serve", "--token-file", cli.path("empty-token")], in: repo, environment: env.merging(["OPS_SERVE_TOKEN": "x"]) { $1 })
        #expect(both.status == 2 && both.stderr == "ops: both OPS_SERVE_TOKEN and --token-file are set; use one of them\n")
        // A port another process holds: one line, exit 2.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0
            }
        }
        #expect(listening)
        let port = UInt16(bigEndian: address.sin_port)
        let taken = try cli.ops(["serve", "--listen", "127.0.0.1:\(port)"], in: repo, environment: env)
        #expect(taken.status == 2)
        #expect(taken.stderr == "ops: cannot serve on 127.0.0.1:\(port): Address already in use. Pick another --listen address or port\n")

        let zero = try cli.ops(["serve", "--head-timeout", "0"], in: repo, environment: env)
        #expect(zero.status == 2 && zero.stderr.contains("--head-timeout must be a number of seconds above 0"), "\(zero.stderr)")
        let none = try cli.ops(["serve", "--max-connections", "0"], in: repo, environment: env)
        #expect(none.status == 2 && none.stderr.contains("--max-connections must be at least 1"), "\(none.stderr)")

        let help = try cli.ops(["serve", "--help"], in: repo)
        #expect(help.status == 0 && help.stdout.contains("ops serve --listen 127.0.0.1:9095"))
        for flag in ["--head-timeout <seconds>", "--idle-timeout <seconds>", "--max-connections <count>"] {
            #expect(help.stdout.contains(flag), "\(flag)")
        }
    }

    @Test func aGitFailureAnswers503SoAlertmanagerRetriesAndTheRetryIsStored() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let tokenFile = cli.path("token")
        try "\(Self.token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServeProcess(cli, in: repo, arguments: ["--token-file", tokenFile])
        defer { server.kill() }
        let firing = try Self.fixture("alertmanager-firing.json")
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        #expect(try HTTPProbe.send(port: server.port, method: "GET", path: "/healthz").status == 200)
        // Git's index.lock, held for a minute (a commit message editor left open): ops never
        // removes it, so the write fails before committing, and /healthz says so meanwhile.
        let lock = repo + "/.git/index.lock"
        try "".write(toFile: lock, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: lock)
        let failed = try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: Self.token), body: firing)
        #expect(failed.status == 503, "\(failed.text)")
        #expect(failed.text.contains("rm -f '\(lock)'"), "\(failed.text)")
        let health = try HTTPProbe.send(port: server.port, method: "GET", path: "/healthz")
        #expect(health.status == 503 && health.text.contains("index.lock"), "\(health.text)")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        try FileManager.default.removeItem(atPath: lock)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        // A hand-broken ops.yaml is this side's problem, not the payload's: 503, not 400.
        let config = try String(contentsOfFile: repo + "/ops.yaml", encoding: .utf8)
        try "severities: [unclosed\n".write(toFile: repo + "/ops.yaml", atomically: true, encoding: .utf8)
        let broken = try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: Self.token), body: firing)
        #expect(broken.status == 503, "\(broken.text)")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        try config.write(toFile: repo + "/ops.yaml", atomically: true, encoding: .utf8)
        let retried = try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: Self.token), body: firing)
        #expect(retried.status == 200)
        #expect(try (retried.json()["opened"] as? [String])?.count == 1)
        #expect(try HTTPProbe.send(port: server.port, method: "GET", path: "/healthz").status == 200)
        #expect(server.stop() == 0)
        #expect(server.lines("delivery").filter { $0.contains("status=503 action=failed") }.count == 2)
        #expect(!server.log.contains(Self.token))
        // The failed attempt left its blob, tree and commit unreachable (as a failed git commit
        // does); dangling objects are not damage, so only they are let through.
        #expect(try cli.git("fsck", "--strict", "--no-dangling", in: repo) == "")
    }

    @Test func sigtermFinishesTheDeliveryInFlightThenExitsCleanly() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let server = try ServeProcess(cli, in: repo)
        defer { server.kill() }
        // Hold the writers' lock, as another ops command would, so the delivery stays in flight.
        let lock = open(repo + "/.git/ops.lock", O_CREAT | O_RDWR, 0o644)
        #expect(lock >= 0 && flock(lock, LOCK_EX) == 0)
        var released = false
        defer { if !released { close(lock) } }

        let firing = try Self.fixture("alertmanager-firing.json")
        let reply = ReplyBox()
        let client = Thread {
            reply.set(Result { try HTTPProbe.send(port: server.port, headers: webhookHeaders(token: nil), body: firing) })
        }
        client.start()
        let inFlight = try Self.waitUntil(seconds: 20) {
            (try? HTTPProbe.send(port: server.port, method: "GET", path: "/metrics"))?.text.contains("ops_serve_deliveries_in_flight 1\n") == true
        }
        #expect(inFlight)
        server.process.terminate()
        #expect(try server.waitFor(seconds: 10) { $0.contains("event=stopping in_flight=1") ? true : nil } == true)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.process.isRunning, "must wait for the delivery in flight")
        #expect(reply.value == nil)

        close(lock)
        released = true
        #expect(try Self.waitUntil(seconds: 20) { reply.value != nil })
        let answer = try reply.value?.get()
        #expect(answer?.status == 200)
        #expect(server.stop() == 0)
        #expect(server.lines("stopped").count == 1)
        let list = try cli.ops(["incident", "list", "--json"], in: repo)
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count == 1)
    }

    static func waitUntil(seconds: Double, _ check: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try check() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}

/// A reply handed from a client thread to the test. `@unchecked Sendable`: guarded by the lock.
final class ReplyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<HTTPProbe.Reply, Error>?
    var value: Result<HTTPProbe.Reply, Error>? { lock.withLock { stored } }
    func set(_ value: Result<HTTPProbe.Reply, Error>) { lock.withLock { stored = value } }
}
