import Foundation

/// The outbox sender's view of an HTTP POST: an answer, or why none came and whether trying
/// again can help. Blocking, like the `BlockingHTTP` it sends through.
final class DeliveryHTTP {
    /// What came back: an answer, or why none did.
    enum Answer: Equatable {
        case response(status: Int, retryAfter: String?, body: String)
        /// No answer: refused, reset, timed out (retried), or a URL that cannot work (permanent).
        case failure(String, permanent: Bool)
    }

    /// Only the start of an answer is kept: it says what went wrong, and a receiver cannot fill memory.
    static let maxBodySize = 16 * 1024

    private let http = BlockingHTTP()

    /// POSTs `request` to `url`; `timeout` bounds the whole exchange, connecting included.
    func post(_ request: DeliveryRequest, to url: URL, timeout: TimeInterval) -> Answer {
        switch http.post(request.body, headers: request.headers, to: url, timeout: timeout, maxBodySize: Self.maxBodySize) {
        case .success(let response):
            return .response(status: response.status, retryAfter: response.retryAfter, body: String(decoding: response.body, as: UTF8.self))
        case .failure(.unusableURL(let why)):
            return .failure("the URL cannot be used (\(why))", permanent: true)
        case .failure(.timedOut), .failure(.connectTimedOut):
            return .failure("no answer within \(Self.seconds(timeout)) s", permanent: false)
        case .failure(.tooBig):
            return .failure("the answer is larger than \(Self.maxBodySize / 1024) KiB", permanent: false)
        case .failure(.failed(let why)):
            return .failure(why, permanent: false)
        }
    }

    /// Closes the connections; call once, when done sending.
    func shutDown() { http.shutDown() }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
