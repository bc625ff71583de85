import Foundation
import Testing

/// 1,000 deliveries from 20 concurrent clients against the built `ops serve`. Pass or fail
/// is about what was stored; the throughput and latency are printed, never asserted
/// (machines here are noisy). `bench/serve` runs the same load by hand.
@Suite(.tags(.integration)) struct ServeLoadTests {
    static let deliveries = 1_000
    static let clients = 20
    static let distinctAlerts = 60

    /// Delivery `index`: one to three alerts of the pool, one in ten a resolve. Deterministic, so
    /// the expected incidents are known; many deliveries repeat an alert already sent.
    static func payload(_ index: Int) -> (body: Data, firing: Set<String>) {
        var alerts: [[String: Any]] = []
        var firing = Set<String>()
        let resolved = index % 10 == 9
        for k in 0..<(1 + index % 3) {
            // The first pass covers every alert once; after that, repeats.
            let alert = index < distinctAlerts ? (index + k) % distinctAlerts : (index * 7 + k * 13) % distinctAlerts
            let fingerprint = String(format: "%016x", 0xa1e7_0000 + alert)
            var entry: [String: Any] = [
                "status": resolved ? "resolved" : "firing",
                "labels": ["alertname": "LoadAlert\(alert)", "severity": "page", "use_case": "ops_copilot"],
                "annotations": ["summary": "Load alert \(alert)"],
                "startsAt": "2026-11-23T08:00:00Z",
                "endsAt": resolved ? "2026-11-23T08:30:00Z" : "0001-01-01T00:00:00Z",
                "fingerprint": fingerprint,
            ]
            entry["generatorURL"] = "http://prometheus:9090/graph"
            alerts.append(entry)
            if !resolved { firing.insert(fingerprint) }
        }
        let payload: [String: Any] = [
            "version": "4", "receiver": "ops", "status": resolved ? "resolved" : "firing", "alerts": alerts,
            "groupKey": "{}:{index=\"\(index)\"}", "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
        ]
        return (try! JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), firing)
    }

    @Test func aThousandConcurrentDeliveriesGiveOneIncidentPerAlertAndLoseNoCommit() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let token = "load-test-token"
        let server = try ServeProcess(cli, in: repo, environment: ["OPS_SERVE_TOKEN": token])
        defer { server.kill() }
        let before = try ServeCLITests.commitCount(cli, repo)

        let payloads = (0..<Self.deliveries).map(Self.payload)
        let expected = payloads.reduce(into: Set<String>()) { $0.formUnion($1.firing) }
        let results = LoadResults(count: Self.deliveries)
        let headers = webhookHeaders(token: token)
        let started = DispatchTime.now()
        let group = DispatchGroup()
        for client in 0..<Self.clients {
            group.enter()
            // A thread per client: blocking sockets, and no limit of the shared pool on how many run.
            let thread = Thread {
                for index in stride(from: client, to: Self.deliveries, by: Self.clients) {
                    let start = DispatchTime.now()
                    let reply = Result { try HTTPProbe.send(port: server.port, headers: headers, body: payloads[index].body) }
                    results.set(index, reply, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
                }
                group.leave()
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 600) == .success, "the load did not finish within 10 minutes")
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9

        // Every delivery got an answer, and every answer was 200.
        let replies = results.all
        #expect(replies.count == Self.deliveries)
        var openedIDs: [String] = []
        var changing = 0
        var answeredCommits = Set<String>()
        for (index, reply, _) in replies {
            guard case .success(let answer) = reply else {
                Issue.record("delivery \(index) got no answer: \(reply)")
                continue
            }
            #expect(answer.status == 200, "delivery \(index): \(answer.status) \(answer.text)")
            let json = try answer.json()
            let opened = json["opened"] as? [String] ?? []
            openedIDs += opened
            if !opened.isEmpty || !(json["updated"] as? [String] ?? []).isEmpty {
                changing += 1
                answeredCommits.insert(try #require(json["commit"] as? String, "delivery \(index) changed something and names no commit"))
            }
        }
        // Group commit: the deliveries that changed something share commits (at most one each),
        // and every answered change is in one that exists (the incidents are checked below).
        let commits = try ServeCLITests.commitCount(cli, repo) - before
        #expect(commits >= 1 && commits <= changing && answeredCommits.count == commits)
        let history = Set(try cli.git("rev-list", "HEAD", in: repo).split(separator: "\n").map(String.init))
        #expect(answeredCommits.isSubset(of: history), "answered with commits not in the history: \(answeredCommits.subtracting(history))")
        #expect(Set(openedIDs).count == openedIDs.count)

        // Every distinct firing alert has exactly one incident.
        var incidentsByFingerprint: [String: Int] = [:]
        let files = try cli.git("ls-files", "incidents", in: repo).split(separator: "\n").filter { $0.hasSuffix("/incident.md") }
        for file in files {
            let text = try String(contentsOfFile: repo + "/" + file, encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("alerts: ") }) else { continue }
            for fingerprint in line.dropFirst("alerts: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",") {
                incidentsByFingerprint[fingerprint.trimmingCharacters(in: .whitespaces), default: 0] += 1
            }
        }
        #expect(Set(incidentsByFingerprint.keys) == expected)
        #expect(incidentsByFingerprint.values.allSatisfy { $0 == 1 }, "\(incidentsByFingerprint.filter { $0.value != 1 })")
        #expect(files.count == expected.count && openedIDs.count == expected.count)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        let metrics = try HTTPProbe.send(port: server.port, method: "GET", path: "/metrics").text
        #expect(metrics.contains("ops_serve_deliveries_total \(Self.deliveries)\n"))
        #expect(metrics.contains("ops_serve_commits_total \(commits)\n"))
        #expect(server.stop() == 0)
        #expect(server.lines("delivery").count == Self.deliveries)

        let latencies = replies.map(\.seconds).sorted()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)] * 1000 }
        print(
            String(
                format:
                    "ops serve load: %d deliveries from %d clients in %.2f s: %.0f requests/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d commits, %d incidents",
                Self.deliveries, Self.clients, wall, Double(Self.deliveries) / wall, percentile(0.5), percentile(0.99),
                latencies.last! * 1000, commits, expected.count))
    }

    /// Group commit keeps its guarantees when the server dies: 1,000 deliveries from 20 clients
    /// that retry until answered, as Alertmanager does, with the server killed (SIGKILL) once in
    /// the middle and started again. Every delivery answered 200 is in Git, and every alert in
    /// exactly one incident.
    @Test func aServerKilledInTheMiddleOfTheLoadLosesNoAnsweredDelivery() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let token = "load-test-token"
        let servers = ServerBox(try ServeProcess(cli, in: repo, environment: ["OPS_SERVE_TOKEN": token]))
        defer { servers.current.kill() }
        let payloads = (0..<Self.deliveries).map(Self.payload)
        let expected = payloads.reduce(into: Set<String>()) { $0.formUnion($1.firing) }
        let results = LoadResults(count: Self.deliveries)
        let headers = webhookHeaders(token: token)
        let group = DispatchGroup()
        for client in 0..<Self.clients {
            group.enter()
            Thread {
                for index in stride(from: client, to: Self.deliveries, by: Self.clients) {
                    let start = DispatchTime.now()
                    // Unanswered (refused, reset, or 5xx while the server is down): send again.
                    for _ in 0..<600 {
                        let reply = Result { try HTTPProbe.send(port: servers.current.port, headers: headers, body: payloads[index].body) }
                        if case .success(let answer) = reply, answer.status == 200 {
                            results.set(index, reply, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
                            break
                        }
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                }
                group.leave()
            }.start()
        }
        // Kill it once a third is answered, mid-batch as likely as not, and start another.
        while results.all.count < Self.deliveries / 3 { Thread.sleep(forTimeInterval: 0.01) }
        servers.current.kill()
        servers.current = try ServeProcess(cli, in: repo, environment: ["OPS_SERVE_TOKEN": token])
        #expect(group.wait(timeout: .now() + 600) == .success, "the load did not finish within 10 minutes")

        let replies = results.all
        #expect(replies.count == Self.deliveries, "some deliveries were never answered 200")
        var answeredCommits = Set<String>()
        var openedIDs: [String] = []
        for (_, reply, _) in replies {
            let json = try reply.get().json()
            openedIDs += json["opened"] as? [String] ?? []
            if let commit = json["commit"] as? String { answeredCommits.insert(commit) }
        }
        let history = Set(try cli.git("rev-list", "HEAD", in: repo).split(separator: "\n").map(String.init))
        #expect(answeredCommits.isSubset(of: history), "answered with commits not in the history: \(answeredCommits.subtracting(history))")
        var incidentsByFingerprint: [String: Int] = [:]
        var ids = Set<String>()
        let files = try cli.git("ls-files", "incidents", in: repo).split(separator: "\n").filter { $0.hasSuffix("/incident.md") }
        for file in files {
            let text = try String(contentsOfFile: repo + "/" + file, encoding: .utf8)
            if let id = text.split(separator: "\n").first(where: { $0.hasPrefix("id: ") }) { ids.insert(String(id.dropFirst(4))) }
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("alerts: ") }) else { continue }
            for fingerprint in line.dropFirst("alerts: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",") {
                incidentsByFingerprint[fingerprint.trimmingCharacters(in: .whitespaces), default: 0] += 1
            }
        }
        #expect(Set(openedIDs).isSubset(of: ids), "answered as opened but not in Git: \(Set(openedIDs).subtracting(ids))")
        #expect(Set(incidentsByFingerprint.keys) == expected)
        #expect(incidentsByFingerprint.values.allSatisfy { $0 == 1 }, "\(incidentsByFingerprint.filter { $0.value != 1 })")
        #expect(servers.current.stop() == 0)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }
}

/// The server the clients send to now: replaced when the test kills one and starts another.
final class ServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var server: ServeProcess
    init(_ server: ServeProcess) { self.server = server }
    var current: ServeProcess {
        get { lock.withLock { server } }
        set { lock.withLock { server = newValue } }
    }
}

/// Replies and their latencies, filled in by the client threads. `@unchecked Sendable`: guarded by the lock.
final class LoadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [Int: (Result<HTTPProbe.Reply, Error>, Double)] = [:]

    init(count: Int) { replies.reserveCapacity(count) }

    func set(_ index: Int, _ reply: Result<HTTPProbe.Reply, Error>, seconds: Double) {
        lock.withLock { replies[index] = (reply, seconds) }
    }

    var all: [(index: Int, reply: Result<HTTPProbe.Reply, Error>, seconds: Double)] {
        lock.withLock { replies.sorted { $0.key < $1.key }.map { ($0.key, $0.value.0, $0.value.1) } }
    }
}
