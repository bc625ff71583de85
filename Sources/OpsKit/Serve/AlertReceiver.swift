public import Foundation

/// What `ops serve` answers to each request, apart from the HTTP library that carries it:
/// `POST /alertmanager` (the intake of `ops alert ingest`), `GET /healthz`, `GET /metrics`.
///
/// A delivery is checked in the order that costs least: token, content type, declared size,
/// then the body, read only up to the limit. Anything refused gets a 4xx, a log line, and
/// writes nothing. A stored delivery gets 200 only after its commit exists; a repository or
/// Git failure gets 503, which Alertmanager retries, and a retry of something already stored
/// is absorbed by the intake.
public struct AlertReceiver: Sendable {
    /// A request's line and headers.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        /// The peer's address, for log lines.
        public var remote: String

        public init(method: String, path: String, headers: [String: String], remote: String) {
            self.method = method
            self.path = path
            self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
            self.remote = remote
        }
    }

    /// What to send back.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    /// The body could not be read to its end (the client went away, or broken chunking).
    public struct BodyError: Error {
        public var detail: String
        public init(_ detail: String) { self.detail = detail }
    }

    public static let defaultMaximumBodySize = 1 << 20

    let token: BearerToken?
    let maximumBodySize: Int
    let writer: DeliveryWriter
    public let metrics: ServerMetrics
    let log: ServeLog

    /// `author` signs every commit; `clock` is now (OPS_NOW in scripts).
    public init(
        root: String, environment: [String: String], clock: @escaping @Sendable () -> Date, author: Author,
        token: BearerToken?, maximumBodySize: Int = defaultMaximumBodySize, log: ServeLog = .standardError
    ) {
        self.token = token
        self.maximumBodySize = maximumBodySize
        self.writer = DeliveryWriter(root: root, environment: environment, clock: clock, author: author)
        self.metrics = ServerMetrics()
        self.log = log
    }

    /// The answer to `request`. `readBody(limit)` reads the body, or returns nil as soon as it
    /// has more than `limit` bytes; it is called only for a delivery that passed every other check.
    public func respond(to request: Request, readBody: (Int) async throws -> Data?) async -> Response {
        let response: Response
        switch (request.path, request.method) {
        case ("/alertmanager", "POST"):
            await metrics.recordInFlight(1)
            response = await deliver(request, readBody: readBody)
            await metrics.recordInFlight(-1)
        case ("/healthz", "GET"), ("/healthz", "HEAD"):
            // Healthy means deliveries are stored: while writes fail (a lock in the way, a broken
            // index), a probe must see it, not only Alertmanager's retries.
            if let failure = await metrics.writeFailure {
                response = Self.error(503, "writes are failing: \(failure)")
            } else {
                response = Self.text(200, "ok\n")
            }
        case ("/metrics", "GET"):
            response = Self.text(200, await metrics.render(), type: "text/plain; version=0.0.4; charset=utf-8")
        case ("/alertmanager", _), ("/healthz", _), ("/metrics", _):
            await metrics.recordFailure(.methodNotAllowed)
            let allowed = request.path == "/alertmanager" ? "POST" : request.path == "/healthz" ? "GET, HEAD" : "GET"
            var refusal = Self.error(405, "\(request.method) is not served on \(request.path); use \(allowed)")
            refusal.headers["Allow"] = allowed
            log.record("request", level: "warn", ["status": "405", "method": request.method, "path": request.path, "remote": request.remote])
            response = refusal
        default:
            await metrics.recordFailure(.notFound)
            log.record("request", level: "warn", ["status": "404", "method": request.method, "path": request.path, "remote": request.remote])
            response = Self.error(404, "nothing is served at \(request.path); Alertmanager posts to /alertmanager")
        }
        await metrics.recordRequest(path: request.path, status: response.status)
        return response
    }

    /// Reads the repository's incidents before the server listens, so that the first burst of
    /// deliveries is not held up by it: how many it read (nil when it could not), and how long
    /// that took, for the log.
    func prepare() -> (incidents: String, milliseconds: String) {
        let start = DispatchTime.now()
        let count = writer.prepare()
        return (
            count.map(String.init) ?? "unknown",
            String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
        )
    }

    /// Waits until every delivery already accepted is stored (before the process exits).
    public func drain() {
        writer.drain()
    }

    // MARK: Deliveries

    private func deliver(_ request: Request, readBody: (Int) async throws -> Data?) async -> Response {
        let start = DispatchTime.now()
        func milliseconds() -> String {
            String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
        }
        func refuse(_ status: Int, _ failure: ServerMetrics.Failure, _ reason: String) async -> Response {
            await metrics.recordFailure(failure)
            log.record(
                "delivery", level: status >= 500 ? "error" : "warn",
                [
                    "status": String(status), "action": status >= 500 ? "failed" : "refused", "reason": reason,
                    "duration_ms": milliseconds(), "remote": request.remote,
                ])
            return Self.error(status, reason)
        }

        if let token, !token.accepts(authorization: request.headers["authorization"]) {
            let said = request.headers["authorization"] == nil ? "no Authorization header" : "wrong bearer token"
            var response = await refuse(401, .unauthorized, "\(said); send Authorization: Bearer with the token ops serve was started with")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        }
        let type = request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else {
            return await refuse(
                415, .unsupportedMediaType,
                "content type \(type.map { "'\($0)'" } ?? "missing"); Alertmanager webhooks are application/json")
        }
        if let declared = request.headers["content-length"].flatMap(Int.init), declared > maximumBodySize {
            return await refuse(413, .tooLarge, "body of \(declared) bytes is over the limit of \(maximumBodySize) bytes (--max-body)" + Self.tooLargeHint)
        }
        let body: Data
        do {
            guard let read = try await readBody(maximumBodySize) else {
                return await refuse(413, .tooLarge, "body is over the limit of \(maximumBodySize) bytes (--max-body)" + Self.tooLargeHint)
            }
            body = read
        } catch let error as BodyError {
            return await refuse(400, .badPayload, "could not read the body: \(error.detail)")
        } catch {
            return await refuse(400, .badPayload, "could not read the body: \(error.localizedDescription)")
        }

        let payload: AlertmanagerPayload
        do {
            payload = try AlertmanagerPayload.decode(body, source: "the request body")
        } catch {
            return await refuse(400, .badPayload, OpsError.from(error).message)
        }
        switch await writer.ingest(payload) {
        case .failed(let error, _):
            // The payload was good, so whatever failed is on this side (Git, a hand-broken
            // ops.yaml, uncommitted edits in the way): 503, and Alertmanager retries.
            await metrics.recordWriteOutcome(failure: error.message)
            return await refuse(503, .repository, error.message)
        case .stored(let summary, let seconds, let batch):
            await metrics.recordWriteOutcome(failure: nil)
            await metrics.recordDelivery(summary, seconds: seconds)
            var actions: [String] = []
            if !summary.opened.isEmpty { actions.append("opened") }
            if !summary.updated.isEmpty { actions.append("updated") }
            if summary.unchanged > 0 { actions.append("absorbed") }
            if !summary.skipped.isEmpty { actions.append("skipped") }
            log.record(
                "delivery",
                [
                    "status": "200", "action": actions.isEmpty ? "nothing" : actions.joined(separator: ","),
                    "alerts": summary.alertNames.joined(separator: ","),
                    "incidents": (summary.opened + summary.updated + summary.absorbedInto.filter { !summary.updated.contains($0) }).joined(separator: ","),
                    "opened": String(summary.opened.count), "updated": String(summary.updated.count),
                    "absorbed": String(summary.unchanged), "skipped": String(summary.skipped.count),
                    "commit": summary.commit.map { String($0.prefix(12)) } ?? "", "batch": String(batch),
                    "commit_ms": String(format: "%.1f", seconds * 1000), "duration_ms": milliseconds(), "remote": request.remote,
                ])
            let reply = Reply(
                opened: summary.opened, updated: summary.updated, unchanged: summary.unchanged, skipped: summary.skipped, commit: summary.commit)
            return Response(status: 200, headers: ["Content-Type": "application/json"], body: Self.json(reply))
        }
    }

    /// What a sender of a body over the limit can do (Alertmanager's `max_alerts` caps a webhook's batch).
    static let tooLargeHint = ". Send fewer alerts per request (Alertmanager's max_alerts), or start ops serve with a larger --max-body"

    /// The body of a 200: what the delivery did, and the commit that holds it (null when it
    /// changed nothing).
    private struct Reply: Encodable {
        var opened: [String]
        var updated: [String]
        var unchanged: Int
        var skipped: [String]
        @NullWhenNil var commit: String?
    }

    private static func json(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(value)) ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    private static func text(_ status: Int, _ text: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: ["Content-Type": type], body: Data(text.utf8))
    }

    private static func error(_ status: Int, _ message: String) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: json(["error": message]))
    }
}
