import Foundation

/// The Prometheus server `ops slo pull` reads: `OPS_PROMETHEUS_URL`, with the bearer token of
/// `OPS_PROMETHEUS_TOKEN` when set. The token is sent in a header and never written or printed.
public struct PrometheusServer: Sendable {
    public static let urlVariable = "OPS_PROMETHEUS_URL"
    public static let tokenVariable = "OPS_PROMETHEUS_TOKEN"

    /// The base URL as given, e.g. `http://prometheus:9090` or `https://host/prometheus`.
    let base: URL
    let token: String?

    /// The URL without user, password, query or fragment: what messages and provenance show.
    public let display: String

    /// Reads the server from the environment; a missing or unusable URL is bad input.
    public init(environment: [String: String]) throws {
        guard let text = environment[Self.urlVariable], !text.isEmpty else {
            throw OpsError.input("\(Self.urlVariable) is not set: set it to the Prometheus server, e.g. http://prometheus:9090")
        }
        guard var parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parts.host, !host.isEmpty
        else {
            throw OpsError.input("\(Self.urlVariable) is not an http or https URL with a host. Set it like http://prometheus:9090")
        }
        let user = parts.user
        let password = parts.password
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        while parts.path.hasSuffix("/") { parts.path.removeLast() }
        guard let base = parts.url else {
            throw OpsError.input("\(Self.urlVariable) is not an http or https URL with a host. Set it like http://prometheus:9090")
        }
        self.base = base
        display = base.absoluteString
        if let token = environment[Self.tokenVariable], !token.isEmpty {
            self.token = "Bearer " + token
        } else if let user {
            // A URL with user:password (as Prometheus behind basic auth is often given) logs in with them.
            self.token = "Basic " + Data("\(user.removingPercentEncoding ?? user):\(password?.removingPercentEncoding ?? "")".utf8).base64EncodedString()
        } else {
            token = nil
        }
    }

    /// Whether a token (or a user in the URL) is sent: a 401 then means a wrong one, not a missing one.
    var hasToken: Bool { token != nil }

    /// One range query, asked for as the API documents it.
    struct RangeQuery {
        var query: String
        var start: Int64
        var end: Int64
        var step: Int64
        /// Bounds the server's evaluation (its `timeout` parameter) and, a little later, our wait.
        var timeout: TimeInterval
        /// Names the query in messages: `ops_copilot availability good_query 'sum(...)'`.
        var label: String
    }

    /// The biggest answer read: a week of 1h steps is a few kilobytes, the API's 11,000 points a megabyte.
    static let maxBodySize = 32 * 1024 * 1024

    /// The body of a 200 answer to `POST /api/v1/query_range`. Any other answer is thrown as one
    /// line: unreachable, timed out, refused (401/403) or an HTTP error are environment failures
    /// (exit 3); an error Prometheus puts in its JSON body is worded by `refusal`.
    func queryRange(_ request: RangeQuery, using client: BlockingHTTP, refusal: (Data) -> OpsError?) throws -> Data {
        let url = base.appendingPathComponent("api/v1/query_range")
        var form = URLComponents()
        form.queryItems = [
            URLQueryItem(name: "query", value: request.query), URLQueryItem(name: "start", value: String(request.start)),
            URLQueryItem(name: "end", value: String(request.end)), URLQueryItem(name: "step", value: String(request.step)),
            URLQueryItem(name: "timeout", value: "\(Int(request.timeout.rounded(.up)))s"),
        ]
        // URLComponents leaves `+` as is, which a form body reads as a space.
        let body = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if let token { headers["Authorization"] = token }
        switch client.post(Data(body.utf8), headers: headers, to: url, timeout: request.timeout + 1, maxBodySize: Self.maxBodySize) {
        case .failure(.timedOut):
            throw OpsError.repository(
                "Prometheus at \(display) gave no answer to \(request.label) within \(Int((request.timeout + 1).rounded())) s. Pull a shorter window or a larger --step, or raise --timeout"
            )
        case .failure(.tooBig):
            throw OpsError.input(
                "Prometheus's answer to \(request.label) is larger than \(Self.maxBodySize / 1024 / 1024) MiB. Pull a shorter window or a larger --step")
        case .failure(let failure):
            let why: String
            switch failure {
            case .unusableURL(let reason): why = "the URL cannot be used (\(reason))"
            case .failed(let reason): why = reason
            default: why = "the connection timed out"
            }
            throw OpsError.repository("cannot reach Prometheus at \(display): \(why). Check \(Self.urlVariable) and that the server is up")
        case .success(let response):
            if response.status == 401 || response.status == 403 {
                throw OpsError.repository(
                    hasToken
                        ? "Prometheus at \(display) refused the token (HTTP \(response.status)): \(Self.tokenVariable) is wrong or may not read this data"
                        : "Prometheus at \(display) asks for a token (HTTP \(response.status)): set \(Self.tokenVariable)")
            }
            // Prometheus answers a bad query (400), a failed evaluation (422) and a timeout (503)
            // with a JSON body that says why; anything else is the server or a proxy in front of it.
            guard response.status == 200 else {
                if let refused = refusal(response.body) { throw refused }
                let text = String(decoding: response.body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
                throw OpsError.repository(
                    "Prometheus at \(display) answered HTTP \(response.status) to \(request.label)\(text.isEmpty ? "" : ": \(text)"). Check \(Self.urlVariable) (the server, not an /api path)"
                )
            }
            return response.body
        }
    }
}
