import Foundation
import Testing

@testable import OpsKit

/// The parts of `ops serve` that need no socket: addresses, the token, log lines, metrics,
/// and the receiver's answers with a workspace in a temp repository.
@Suite struct ServeTests {
    @Test func listenAddressesParseAndKnowWhetherOnlyThisMachineCanConnect() throws {
        let v4 = try ListenAddress("127.0.0.1:9095")
        #expect(v4.family == .ipv4 && v4.port == 9095 && v4.isLoopback && v4.description == "127.0.0.1:9095")
        #expect(try ListenAddress("127.8.9.10:0").isLoopback)
        #expect(try ListenAddress("localhost:9095").host == "127.0.0.1")
        let v6 = try ListenAddress("[::1]:9095")
        #expect(v6.family == .ipv6 && v6.isLoopback && v6.description == "[::1]:9095")
        #expect(try !ListenAddress("0.0.0.0:9095").isLoopback)
        #expect(try !ListenAddress("10.0.0.7:9095").isLoopback)
        #expect(try !ListenAddress("[::]:9095").isLoopback)
        #expect(try !ListenAddress("[::ffff:127.0.0.1]:9095").isLoopback)  // mapped: not worth the doubt; needs a token
        for bad in ["9095", "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:http", "::1:9095", "example.com:9095", ":9095"] {
            #expect(throws: OpsError.self, "\(bad)") { try ListenAddress(bad) }
        }
    }

    @Test func theTokenComesFromOneSourceAcceptsOnlyItselfAndNeverPrints() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        try folder.write("token", "abc-123_XYZ\nsecond line ignored\n")
        let fromFile = try #require(try BearerToken.load(file: "token", environment: [:], currentDirectory: folder.path))
        #expect(fromFile.source == "token")
        #expect(fromFile.accepts(authorization: "Bearer abc-123_XYZ"))
        #expect(fromFile.accepts(authorization: "bearer abc-123_XYZ"))
        for wrong in [nil, "", "Bearer", "Bearer abc-123_XY", "Bearer abc-123_XYZZ", "Basic abc-123_XYZ", "abc-123_XYZ", "Bearer ABC-123_XYZ"] {
            #expect(!fromFile.accepts(authorization: wrong), "\(wrong ?? "nil")")
        }
        #expect("\(fromFile)" == "<token from token>")
        let fromEnvironment = try #require(try BearerToken.load(file: nil, environment: ["OPS_SERVE_TOKEN": "s3cret"], currentDirectory: "/"))
        #expect(fromEnvironment.source == "OPS_SERVE_TOKEN" && !"\(fromEnvironment)".contains("s3cret"))
        #expect(try BearerToken.load(file: nil, environment: ["OPS_SERVE_TOKEN": ""], currentDirectory: "/") == nil)
        #expect(throws: OpsError.self) { try BearerToken.load(file: "token", environment: ["OPS_SERVE_TOKEN": "x"], currentDirectory: folder.path) }
        #expect(throws: OpsError.self) { try BearerToken.load(file: "missing", environment: [:], currentDirectory: folder.path) }
        #expect(throws: OpsError.self) { try BearerToken.load(file: nil, environment: ["OPS_SERVE_TOKEN": "has space"], currentDirectory: "/") }
    }

    @Test func logLinesAreLogfmtWithQuotedValuesOnOneLine() {
        let lines = LineSink()
        let log = ServeLog(write: { lines.append($0) }, now: { Date(timeIntervalSince1970: 1_795_000_000.25) })
        log.record("delivery", level: "warn", ["status": "400", "reason": "bad \"json\"\nline two", "alerts": "A,B", "empty": ""])
        #expect(lines.all == [#"ts=2026-11-18T11:06:40.250Z level=warn event=delivery status=400 reason="bad \"json\"\nline two" alerts=A,B empty="""# + "\n"])
        #expect(ServeLog.quoted("a=b") == #""a=b""#)
        #expect(ServeLog.quoted("tab\there") == #""tab\there""#)
    }

    @Test func metricsRenderEveryFamilyAndCountDeliveries() async throws {
        let metrics = ServerMetrics()
        var summary = AlertIntake.Summary()
        summary.opened = ["INC-20261123-AAAAAAAA", "INC-20261123-BBBBBBBB"]
        summary.commit = "1f0c6d1e"
        await metrics.recordDelivery(summary, seconds: 0.012)
        // Another delivery of the same batch: its commit is counted once.
        summary.opened = ["INC-20261123-CCCCCCCC"]
        await metrics.recordDelivery(summary, seconds: 0.012)
        summary = AlertIntake.Summary()
        summary.unchanged = 3
        await metrics.recordDelivery(summary, seconds: 0.003)
        await metrics.recordRequest(path: "/alertmanager", status: 200)
        await metrics.recordRequest(path: "/wp-admin", status: 404)
        await metrics.recordFailure(.tooLarge)
        let text = await metrics.render()
        for line in [
            "ops_serve_incidents_opened_total 3", "ops_serve_duplicates_absorbed_total 3", "ops_serve_commits_total 1",
            "ops_serve_deliveries_total 3", "ops_serve_errors_total{reason=\"too_large\"} 1",
            "ops_serve_errors_total{reason=\"repository\"} 0", "ops_serve_requests_total{path=\"other\",code=\"404\"} 1",
            "ops_serve_commit_duration_seconds_bucket{le=\"0.005\"} 1", "ops_serve_commit_duration_seconds_bucket{le=\"0.025\"} 3",
            "ops_serve_commit_duration_seconds_bucket{le=\"+Inf\"} 3", "ops_serve_commit_duration_seconds_count 3",
            "# TYPE ops_serve_commit_duration_seconds histogram", "# TYPE ops_serve_deliveries_in_flight gauge",
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
        #expect(!text.contains("wp-admin"))
    }

    @Test func theConnectionCapStaysBelowTheOpenFileLimit() throws {
        let common = FileLimit(soft: 1_024, hard: 1_024)
        #expect(common.connectionCap(requested: nil) == 896)
        #expect(common.connectionCap(requested: 100) == 100)
        #expect(common.connectionCap(requested: 5_000) == 896)
        #expect(FileLimit(soft: 1_048_576, hard: 1_048_576).connectionCap(requested: nil) == FileLimit.defaultConnectionCeiling)
        #expect(FileLimit(soft: 64, hard: 64).connectionCap(requested: nil) == 16)
        // At start the soft limit goes up to the hard one (this test process's: harmless).
        let raised = try #require(FileLimit.raise())
        #expect(raised.soft == min(raised.hard, 1 << 20) && FileLimit.current() == raised)
        #expect(ConnectionLimits.seconds(10) == "10s" && ConnectionLimits.seconds(0.5) == "0.5s")
    }

    @Test func theReceiverChecksBeforeReadingStoresOnceAndRefusesWithoutWriting() async throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let lines = LineSink()
        let receiver = AlertReceiver(
            root: ops.folder.path, environment: [:], clock: fixedClock, author: ops.alice,
            token: try BearerToken("t0ken", source: "test"), maximumBodySize: 4096,
            log: ServeLog(write: { lines.append($0) }, now: fixedClock))
        let payload = try Data(contentsOf: URL(fileURLWithPath: sourceRoot + "/Tests/OpsCLITests/Fixtures/alertmanager-firing.json"))
        let headers = ["Authorization": "Bearer t0ken", "Content-Type": "application/json; charset=utf-8"]
        func post(_ body: Data, headers: [String: String] = headers, chunked: Bool = false) async -> (AlertReceiver.Response, Bool) {
            let read = ReadFlag()
            let request = AlertReceiver.Request(
                method: "POST", path: "/alertmanager",
                headers: chunked ? headers : headers.merging(["Content-Length": String(body.count)]) { $1 },
                remote: "127.0.0.1")
            let response = await receiver.respond(to: request) { limit in
                read.set()
                return body.count > limit ? nil : body
            }
            return (response, read.value)
        }
        let commits = try ops.commitCount()

        let (unauthorized, readUnauthorized) = await post(payload, headers: ["Content-Type": "application/json"])
        #expect(unauthorized.status == 401 && !readUnauthorized)
        let (plain, readPlain) = await post(payload, headers: ["Authorization": "Bearer t0ken", "Content-Type": "text/plain"])
        #expect(plain.status == 415 && !readPlain)
        let big = Data(repeating: UInt8(ascii: " "), count: 5000)
        let (declared, readDeclared) = await post(big)
        #expect(declared.status == 413 && !readDeclared)
        let (chunked, readChunked) = await post(big, chunked: true)
        #expect(chunked.status == 413 && readChunked)
        for refusal in [declared, chunked] {
            let error = (try JSONSerialization.jsonObject(with: refusal.body) as? [String: String])?["error"] ?? ""
            #expect(
                error.hasSuffix(
                    "over the limit of 4096 bytes (--max-body). Send fewer alerts per request "
                        + "(Alertmanager's max_alerts), or start ops serve with a larger --max-body"), "\(error)")
        }
        let (broken, _) = await post(Data("[1,".utf8))
        #expect(broken.status == 400)
        #expect(try ops.commitCount() == commits)

        let (stored, _) = await post(payload)
        #expect(stored.status == 200)
        let reply = try JSONSerialization.jsonObject(with: stored.body) as? [String: Any]
        #expect((reply?["opened"] as? [String])?.count == 1)
        let (again, _) = await post(payload)
        #expect(again.status == 200)
        let againReply = try JSONSerialization.jsonObject(with: again.body) as? [String: Any]
        #expect(againReply?["unchanged"] as? Int == 1)
        #expect(try ops.commitCount() == commits + 1)
        let log = lines.all
        #expect(log.count == 7 && log.allSatisfy { $0.hasSuffix("\n") && $0.filter { $0 == "\n" }.count == 1 })
        #expect(log.filter { $0.contains("event=delivery status=413 action=refused") }.count == 2)
        #expect(log[5].contains("action=opened alerts=HighLatencyP95 incidents=INC-"))
        #expect(!log.joined().contains("t0ken"))

        let health = await receiver.respond(to: .init(method: "GET", path: "/healthz", headers: [:], remote: "127.0.0.1")) { _ in nil }
        #expect(health.status == 200)
        let wrongMethod = await receiver.respond(to: .init(method: "DELETE", path: "/metrics", headers: [:], remote: "127.0.0.1")) { _ in nil }
        #expect(wrongMethod.status == 405 && wrongMethod.headers["Allow"] == "GET")
    }
}

/// Collects log lines. `@unchecked Sendable`: guarded by the lock.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Whether the body was asked for. `@unchecked Sendable`: guarded by the lock.
final class ReadFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    func set() { lock.withLock { stored = true } }
    var value: Bool { lock.withLock { stored } }
}
