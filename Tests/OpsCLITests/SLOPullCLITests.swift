import Foundation
import LoopbackHTTP
import Testing

/// `ops slo pull` against stub servers on loopback: the window it asks for, what it stores,
/// and every way the server can fail. The real Prometheus is in SLOPullPrometheusTests.
@Suite struct SLOPullCLITests {
    /// A repository whose catalog has ops_copilot availability with queries.
    static func repository(_ cli: CLI) throws -> String {
        let repo = try SLOCLITests.repository(cli)
        let catalog = """
            version: 1
            use_cases:
              ops_copilot:
                availability:
                  objective: 99.9%
                  window: rolling_30d
                  good_query: 'sum(increase(http_requests_total{use_case="ops_copilot",code!~"5.."}[1h]))'
                  total_query: 'sum(increase(http_requests_total{use_case="ops_copilot"}[1h]))'
                latency_p95_ms: {at_most: 1200}
            metrics:
              latency_p95_ms: {unit: ms}

            """
        try catalog.write(toFile: repo + "/slo/catalog.yaml", atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "catalog with queries", in: repo)
        return repo
    }

    static func commits(_ cli: CLI, _ repo: String) throws -> String { try cli.git("rev-list", "--count", "HEAD", in: repo) }

    /// A query_range answer of one series.
    static func matrix(_ values: [(Int, String)]) -> String {
        let pairs = values.map { "[\($0.0),\"\($0.1)\"]" }.joined(separator: ",")
        return #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[\#(pairs)]}]}}"#
    }

    /// The form fields of a POST body.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    @Test func theDefaultWindowIsLastWeekInWholeHoursAndEachSampleCountsTheStepThatEndsAtIt() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        // 2026-W47 is 2026-11-16T00:00:00Z (1794787200) to 2026-11-23T00:00:00Z (1795392000).
        let start = 1_794_787_200
        let server = try LoopbackReceiver { request, _ in
            let query = Self.form(request.text)["query"] ?? ""
            let good = !query.contains("code!~")
            return .init(200, Self.matrix([(start + 3600, good ? "1000" : "990"), (start + 7200, good ? "500" : "498")]))
        }
        defer { server.stop() }
        let environment = ["OPS_NOW": "2026-11-25T10:30:00Z", "OPS_PROMETHEUS_URL": "http://127.0.0.1:\(server.port)/"]
        let before = try Self.commits(cli, repo)
        let pulled = try cli.ops(["slo", "pull"], in: repo, environment: environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stdout.hasPrefix("slo/snapshots/events/ops_copilot/availability/2026-W47.yaml\n"))
        #expect(pulled.stderr.contains("Pulled 2026-11-16T00:00:00Z to 2026-11-23T00:00:00Z in steps of 3600s from http://127.0.0.1:\(server.port)."))
        #expect(pulled.stderr.contains("warning:") == false)

        let requests = server.requests
        #expect(requests.count == 2)
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.path == "/api/v1/query_range")
            #expect(request.headers["authorization"] == nil)
            let fields = Self.form(request.text)
            #expect(fields["start"] == String(start + 3600))
            #expect(fields["end"] == "1795392000")
            #expect(fields["step"] == "3600")
        }
        #expect(Self.form(requests[0].text)["query"] == #"sum(increase(http_requests_total{use_case="ops_copilot",code!~"5.."}[1h]))"#)

        let file = try String(contentsOfFile: repo + "/slo/snapshots/events/ops_copilot/availability/2026-W47.yaml", encoding: .utf8)
        // The sample at 01:00 is the hour before it, as increase(x[1h]) measures it.
        #expect(file.contains("  - {start: 2026-11-16T00:00:00Z, end: 2026-11-16T01:00:00Z, good: 990, total: 1000}\n"))
        #expect(file.contains("  - {start: 2026-11-16T01:00:00Z, end: 2026-11-16T02:00:00Z, good: 498, total: 500}\n"))
        #expect(file.contains("importer: prometheus-api/1"))
        #expect(file.contains(#"name: "http://127.0.0.1:\#(server.port) sum(increase(http_requests_total{use_case=\"ops_copilot\",code!~\"5..\"}[1h]))""#))
        #expect(try Self.commits(cli, repo) == "\(Int(before.trimmingCharacters(in: .newlines))! + 1)\n")

        // The same answers again: nothing to commit.
        let again = try cli.ops(["slo", "pull"], in: repo, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "")
        #expect(again.stderr.hasSuffix("Every snapshot holds this data already: nothing to commit.\n"))
        #expect(try Self.commits(cli, repo) == "\(Int(before.trimmingCharacters(in: .newlines))! + 1)\n")
    }

    @Test func aServerThatIsNotThereIsExit3AndWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let port = try freeLoopbackPort()
        let before = try Self.commits(cli, repo)
        let result = try cli.ops(["slo", "pull"], in: repo, environment: ["OPS_PROMETHEUS_URL": "http://127.0.0.1:\(port)"])
        #expect(result.status == 3)
        #expect(
            result.stderr
                == "ops: cannot reach Prometheus at http://127.0.0.1:\(port): connection refused: nothing listens at that address. Check OPS_PROMETHEUS_URL and that the server is up\n"
        )
        #expect(try Self.commits(cli, repo) == before)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        let unset = try cli.ops(["slo", "pull"], in: repo)
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("OPS_PROMETHEUS_URL is not set"))
    }

    @Test func a401SaysTheTokenIsMissingOrWrongAndNeverPrintsIt() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let server = try LoopbackReceiver { _, _ in .init(401, "Unauthorized\n") }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)"
        let missing = try cli.ops(["slo", "pull"], in: repo, environment: ["OPS_PROMETHEUS_URL": url])
        #expect(missing.status == 3)
        #expect(missing.stderr == "ops: Prometheus at \(url) asks for a token (HTTP 401): set OPS_PROMETHEUS_TOKEN\n")

        let token = "tok-9d81f2-secret"
        let wrong = try cli.ops(["slo", "pull"], in: repo, environment: ["OPS_PROMETHEUS_URL": url, "OPS_PROMETHEUS_TOKEN": token])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("refused the token (HTTP 401): OPS_PROMETHEUS_TOKEN is wrong"))
        #expect(!wrong.stderr.contains(token) && !wrong.stdout.contains(token))
        #expect(server.requests.last?.headers["authorization"] == "Bearer \(token)")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    // A real Prometheus always answers query_range with a matrix, so the instant-vector path
    // is tested against this stub, as a proxy or another server could answer.
    @Test func anInstantVectorWhereARangeWasExpectedIsRefused() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let server = try LoopbackReceiver { _, _ in
            .init(200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795392000,"5"]}]}}"#)
        }
        defer { server.stop() }
        let before = try Self.commits(cli, repo)
        let result = try cli.ops(["slo", "pull"], in: repo, environment: ["OPS_PROMETHEUS_URL": "http://127.0.0.1:\(server.port)"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("ops: Prometheus answered ops_copilot availability good_query 'sum(increase("))
        #expect(result.stderr.contains(" with a vector, where a range (matrix) was expected."))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try Self.commits(cli, repo) == before)
    }

    @Test func timeoutsFromPrometheusAndFromOurOwnWaitAreOneLine() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let prometheusTimeout = try LoopbackReceiver { _, _ in
            .init(503, #"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#)
        }
        defer { prometheusTimeout.stop() }
        let theirs = try cli.ops(["slo", "pull"], in: repo, environment: ["OPS_PROMETHEUS_URL": "http://127.0.0.1:\(prometheusTimeout.port)"])
        #expect(theirs.status == 3)
        #expect(theirs.stderr.hasPrefix("ops: Prometheus timed out on ops_copilot availability good_query"))
        #expect(theirs.stderr.contains(#": "query timed out in expression evaluation". Pull a shorter window"#))

        let slow = try LoopbackReceiver { _, _ in .init(200, Self.matrix([(1_795_392_000, "1")]), delay: 5) }
        defer { slow.stop() }
        let started = Date()
        let ours = try cli.ops(["slo", "pull", "--timeout", "1"], in: repo, environment: ["OPS_PROMETHEUS_URL": "http://127.0.0.1:\(slow.port)"])
        #expect(ours.status == 3)
        #expect(ours.stderr.contains("gave no answer to ops_copilot availability good_query"))
        #expect(ours.stderr.contains("within 2 s."))
        #expect(Date().timeIntervalSince(started) < 4.5)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    @Test func lintChecksTheQueries() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let catalog = """
            version: 1
            use_cases:
              ops_copilot:
                availability:
                  objective: 99.9%
                  window: rolling_30d
                  good_query: 'sum(increase(http_requests_total{code!~"5.."}[1h]))'
                latency_p95_ms: {at_most: 1200, good_query: 'up'}
                errors: {objective: 99%, window: rolling_30d, good_query: ' ', total_query: 'sum(up)'}
            metrics:
              latency_p95_ms: {unit: ms}

            """
        try catalog.write(toFile: repo + "/slo/catalog.yaml", atomically: true, encoding: .utf8)
        let lint = try cli.ops(["lint"], in: repo)
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("slo/catalog.yaml:7: ops_copilot.availability has good_query but no total_query"))
        #expect(lint.stdout.contains("slo/catalog.yaml:8: ops_copilot.latency_p95_ms is a gauge, so it has no `good_query`"))
        #expect(lint.stdout.contains("slo/catalog.yaml:9: `good_query` of ops_copilot.errors must be a PromQL query"))
    }
}
