import Foundation

/// What `ops serve` has done since it started, as `GET /metrics` shows it (Prometheus text format 0.0.4).
public actor ServerMetrics {
    /// Why a request was not stored; the `reason` label of `ops_serve_errors_total`.
    /// `repository`: a good payload that could not be stored (Git, the repository, ops.yaml).
    public enum Failure: String, Sendable, CaseIterable {
        case unauthorized, notFound = "not_found", methodNotAllowed = "method_not_allowed"
        case unsupportedMediaType = "unsupported_media_type", tooLarge = "too_large"
        case badPayload = "bad_payload", repository, `internal`
    }

    /// Upper bounds of the commit-duration histogram, in seconds: a commit takes milliseconds
    /// in a small repository and a few hundred at 100k incidents (docs/LIBGIT2.md).
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private var requests: [String: [Int: Int]] = [:]
    private var errors: [Failure: Int] = [:]
    private var deliveries = 0
    private var inFlight = 0
    /// Why the last delivery could not be stored, nil once one is: `/healthz` fails meanwhile.
    private(set) var writeFailure: String?
    private var commits = 0
    private var recentCommits: [String] = []
    private var opened = 0
    private var updated = 0
    private var absorbed = 0
    private var bucketCounts = Array(repeating: 0, count: ServerMetrics.buckets.count)
    private var durationSum = 0.0
    private var durationCount = 0
    private var headTimeouts = 0

    public init() {}

    /// One answered request. Paths other than the served ones count as `other`, so a scan of
    /// random URLs cannot grow the label set without bound.
    func recordRequest(path: String, status: Int) {
        let label = ["/alertmanager", "/healthz", "/metrics"].contains(path) ? path : "other"
        requests[label, default: [:]][status, default: 0] += 1
    }

    /// Deliveries received and not yet answered.
    var deliveriesInFlight: Int { inFlight }

    /// A delivery started (`+1`) or was answered (`-1`).
    func recordInFlight(_ change: Int) {
        inFlight += change
    }

    func recordWriteOutcome(failure: String?) {
        writeFailure = failure
    }

    func recordFailure(_ failure: Failure) {
        errors[failure, default: 0] += 1
    }

    /// A connection closed because its request head did not arrive in time (slowloris).
    func recordHeadTimeout() {
        headTimeouts += 1
    }

    /// One delivery stored: what the intake did, and how long its batch and commit took. The
    /// deliveries of one batch share a commit, counted once.
    func recordDelivery(_ summary: AlertIntake.Summary, seconds: Double) {
        deliveries += 1
        if let commit = summary.commit, !recentCommits.contains(commit) {
            commits += 1
            recentCommits.append(commit)
            // A batch's deliveries are answered together: the last few commits are enough to tell.
            if recentCommits.count > 256 { recentCommits.removeFirst(recentCommits.count - 256) }
        }
        opened += summary.opened.count
        updated += summary.updated.count
        absorbed += summary.unchanged
        for (index, bound) in Self.buckets.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
        durationSum += seconds
        durationCount += 1
    }

    /// The exposition text: every family with its HELP and TYPE, even at zero, so a dashboard
    /// sees the series from the first scrape.
    public func render() -> String {
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        /// A family of one series without labels: its name is written once, so the sample
        /// line cannot drift from its HELP and TYPE.
        func single(_ name: String, _ type: String, _ help: String, _ value: Int) {
            family(name, type, help)
            lines.append("\(name) \(value)")
        }
        family("ops_serve_requests_total", "counter", "HTTP requests answered, by path and status code.")
        for path in requests.keys.sorted() {
            for (code, count) in requests[path]!.sorted(by: { $0.key < $1.key }) {
                lines.append("ops_serve_requests_total{path=\"\(path)\",code=\"\(code)\"} \(count)")
            }
        }
        single("ops_serve_deliveries_in_flight", "gauge", "Deliveries received and not yet answered (waiting for or in the writer).", inFlight)
        single("ops_serve_deliveries_total", "counter", "Alertmanager deliveries stored (answered 200).", deliveries)
        single("ops_serve_commits_total", "counter", "Git commits made for deliveries.", commits)
        single("ops_serve_incidents_opened_total", "counter", "Incidents opened by firing alerts.", opened)
        single("ops_serve_incidents_updated_total", "counter", "Incidents whose timeline got an alert event.", updated)
        single("ops_serve_duplicates_absorbed_total", "counter", "Alerts delivered again that were already recorded.", absorbed)
        family("ops_serve_errors_total", "counter", "Requests refused or failed, by reason.")
        for failure in Failure.allCases {
            lines.append("ops_serve_errors_total{reason=\"\(failure.rawValue)\"} \(errors[failure] ?? 0)")
        }
        single("ops_serve_head_timeouts_total", "counter", "Connections closed because a request head did not arrive within --head-timeout.", headTimeouts)
        family(
            "ops_serve_commit_duration_seconds", "histogram",
            "Time to run a delivery's batch through the intake and commit it, not counting the wait for earlier batches.")
        for (index, bound) in Self.buckets.enumerated() {
            lines.append("ops_serve_commit_duration_seconds_bucket{le=\"\(Self.format(bound))\"} \(bucketCounts[index])")
        }
        lines.append("ops_serve_commit_duration_seconds_bucket{le=\"+Inf\"} \(durationCount)")
        lines.append("ops_serve_commit_duration_seconds_sum \(durationSum)")
        lines.append("ops_serve_commit_duration_seconds_count \(durationCount)")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }
}
