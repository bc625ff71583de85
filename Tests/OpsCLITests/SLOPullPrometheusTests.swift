import Foundation
import LoopbackHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ops slo pull` against a real Prometheus (Debian's `prometheus`, which CI and `make deps`
/// install) that scrapes an exporter of the test's own every second. The exporter's counters
/// grow by known amounts in the middle of each 4 s step, so each step's delta is known exactly.
/// Fails, never skips, when Prometheus is missing.
@Suite(.tags(.integration)) struct SLOPullPrometheusTests {
    static let step = 4

    /// Increments per step of the window: (good, 5xx) for ops_copilot.
    static let increments = [(7, 1), (120, 0), (33, 5)]

    @Test func pulledGoodAndTotalMatchTheExportersCounters() throws {
        guard PrometheusProcess.isInstalled else { return }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOPullCLITests.repository(cli)
        let delta = { (selector: String) in "sum(\(selector)) - sum(\(selector) offset \(Self.step)s)" }
        let good = #"http_requests_total{use_case="ops_copilot",code!~"5.."}"#
        let total = #"http_requests_total{use_case="ops_copilot"}"#
        let catalog = """
            version: 1
            use_cases:
              ops_copilot:
                availability:
                  objective: 99.9%
                  window: rolling_30d
                  good_query: '\(delta(good))'
                  total_query: '\(delta(total))'
                broken: {objective: 99%, window: rolling_30d, good_query: 'sum(rate(http_requests_total[5m])', total_query: 'sum(up)'}
                split: {objective: 99%, window: rolling_30d, good_query: 'sum by (code) (http_requests_total)', total_query: 'sum(up)'}
                empty: {objective: 99%, window: rolling_30d, good_query: 'sum(no_such_metric_total)', total_query: 'sum(up)'}

            """
        try catalog.write(toFile: repo + "/slo/catalog.yaml", atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "catalog for the pull", in: repo)

        let exporter = try CounterExporter()
        defer { exporter.stop() }
        let prometheus = try PrometheusProcess(cli, scraping: exporter.port)
        defer { prometheus.stop() }
        let api = prometheus.port
        // Both ops_copilot series scraped at least once: the window may start.
        let scraped = try ServeCLITests.waitUntil(seconds: 15) {
            let reply = try? HTTPProbe.send(
                port: api, method: "GET", path: "/api/v1/query?query=count(http_requests_total%7Buse_case%3D%22ops_copilot%22%7D)", timeout: 5)
            return reply?.text.contains(#""value":["#) == true && reply?.text.contains(#","2"]"#) == true
        }
        #expect(scraped, "Prometheus scraped nothing within 15 s: \(prometheus.log)")
        guard scraped else { return }

        // The window starts at the next whole step; each step's increments land in its middle,
        // far from both ends, so a 1 s scrape sees them inside the step.
        let now = Int(Date().timeIntervalSince1970)
        let start = (now / Self.step + 1) * Self.step
        let end = start + Self.step * Self.increments.count
        exporter.schedule(
            Self.increments.enumerated().map { index, amounts in
                (at: Double(start + index * Self.step) + Double(Self.step) / 2, good: amounts.0, bad: amounts.1)
            })
        // The last step's last scrape must be stored before the pull asks.
        let waited = Double(end) + 1.5 - Date().timeIntervalSince1970
        if waited > 0 { Thread.sleep(forTimeInterval: waited) }

        let environment = ["OPS_PROMETHEUS_URL": "http://127.0.0.1:\(api)"]
        let window = ["--from", Self.utc(start), "--until", Self.utc(end), "--step", "\(Self.step)s"]
        let before = try SLOPullCLITests.commits(cli, repo)
        let pulled = try cli.ops(["slo", "pull", "--sli", "availability"] + window, in: repo, environment: environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try SLOPullCLITests.commits(cli, repo) == "\(Int(before.trimmingCharacters(in: .newlines))! + 1)\n")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        var expected: [String] = []
        for (index, amounts) in Self.increments.enumerated() {
            let from = start + index * Self.step
            expected.append(
                "  - {start: \(Self.utc(from)), end: \(Self.utc(from + Self.step)), good: \(amounts.0), total: \(amounts.0 + amounts.1)}")
        }
        let stored = try Self.storedSteps(repo)
        #expect(stored == expected, "pulled: \(pulled.stderr)")

        // The same window again: Prometheus gives the same answer, so nothing is committed.
        let again = try cli.ops(["slo", "pull", "--sli", "availability"] + window, in: repo, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("nothing to commit"))
        #expect(try SLOPullCLITests.commits(cli, repo) == "\(Int(before.trimmingCharacters(in: .newlines))! + 1)\n")

        // Prometheus's own errors, from the real server: a parse error, two series, no data.
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let broken = try cli.ops(["slo", "pull", "--sli", "broken"] + window, in: repo, environment: environment)
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("ops: Prometheus refused ops_copilot broken good_query 'sum(rate(http_requests_total[5m])': \""))
        #expect(broken.stderr.contains("parse error"))
        #expect(broken.stderr.hasSuffix("\". Fix the query in slo/catalog.yaml:9\n"))
        let split = try cli.ops(["slo", "pull", "--sli", "split"] + window, in: repo, environment: environment)
        #expect(split.status == 2)
        #expect(split.stderr.contains("returned 2 series; it must sum them to one"))
        let empty = try cli.ops(["slo", "pull", "--sli", "empty"] + window, in: repo, environment: environment)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("'sum(no_such_metric_total)' has no data from \(Self.utc(start)) to \(Self.utc(end)): nothing was written"))
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    /// Every step line of ops_copilot availability's week files, in order.
    static func storedSteps(_ repo: String) throws -> [String] {
        let folder = repo + "/slo/snapshots/events/ops_copilot/availability"
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  - {start: ") }
        }
        return lines
    }

    static func utc(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
    }
}

/// An exporter on loopback: `http_requests_total` of ops_copilot (code 200 and 500) and of
/// fraud_scoring (which the queries must leave out), each a base value plus every scheduled
/// increment whose time has come, by the exporter's clock when the scrape arrives.
final class CounterExporter: @unchecked Sendable {  // `increments` is guarded by `lock`
    private let lock = NSLock()
    private var increments: [(at: Double, good: Int, bad: Int)] = []
    private var server: LoopbackReceiver!

    var port: UInt16 { UInt16(server.port) }

    init() throws {
        server = try LoopbackReceiver { [unowned self] _, _ in
            let now = Date().timeIntervalSince1970
            let due = self.lock.withLock { self.increments.filter { $0.at <= now } }
            let good = 1000 + due.reduce(0) { $0 + $1.good }
            let bad = 10 + due.reduce(0) { $0 + $1.bad }
            let body = """
                # TYPE http_requests_total counter
                http_requests_total{use_case="ops_copilot",code="200"} \(good)
                http_requests_total{use_case="ops_copilot",code="500"} \(bad)
                http_requests_total{use_case="fraud_scoring",code="200"} \(Int(now) % 1000 * 3)

                """
            return .init(200, body, headers: ["Content-Type": "text/plain; version=0.0.4"])
        }
    }

    func schedule(_ increments: [(at: Double, good: Int, bad: Int)]) { lock.withLock { self.increments = increments } }

    func stop() { server.stop() }
}

/// A real Prometheus on a free loopback port scraping one target every second, its data in the
/// CLI's temp folder. Stopped (killed if it must be) by `stop`.
final class PrometheusProcess {
    static let binary = "/usr/bin/prometheus"

    /// True when it is there; records a failure otherwise (a missing tool fails, never skips).
    static var isInstalled: Bool {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("\(binary) is missing: install Debian's prometheus (make deps does)")
            return false
        }
        return true
    }

    let process = Process()
    let port: UInt16
    private let logPath: String

    /// Starts it and waits (at most 20 s) until /-/ready answers.
    init(_ cli: CLI, scraping target: UInt16) throws {
        port = try freeLoopbackPort()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: exporter
                static_configs:
                  - targets: ['127.0.0.1:\(target)']
            """
        try config.write(toFile: cli.path("prometheus.yml"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(cli.path("prometheus.yml"))", "--storage.tsdb.path=\(cli.path("prometheus-data"))",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        logPath = cli.path("prometheus.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let ready = try ServeCLITests.waitUntil(seconds: 20) { [process, port] in
            (try? HTTPProbe.send(port: port, method: "GET", path: "/-/ready", timeout: 2))?.status == 200 || !process.isRunning
        }
        guard ready, process.isRunning else {
            stop()
            throw ServeTestError("Prometheus did not become ready on port \(port): \(log)")
        }
    }

    /// What it wrote so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
