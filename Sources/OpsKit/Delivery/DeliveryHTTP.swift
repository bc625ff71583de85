internal import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// The HTTP client of the outbox's sender: one POST at a time, with a timeout, and the answer
/// read into plain values. AsyncHTTPClient runs the request on its own event loop thread; the
/// caller's thread waits for it, so `post` must be called from a thread that may block (the
/// CLI's main thread, a thread of its own in `ops serve`), never from async code.
final class DeliveryHTTP {
    /// What came back: an answer, or why none did.
    enum Answer: Equatable {
        case response(status: Int, retryAfter: String?, body: String)
        /// No answer: refused, reset, timed out (retried), or a URL that cannot work (permanent).
        case failure(String, permanent: Bool)
    }

    private let client: HTTPClient
    private var isShutDown = false

    init() {
        var configuration = HTTPClient.Configuration()
        // A POST is not re-sent to another address: that would hand a signed body to whoever
        // the first one points to.
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// POSTs `request` to `url`; `timeout` bounds the whole exchange, connecting included.
    func post(_ request: DeliveryRequest, to url: URL, timeout: TimeInterval) -> Answer {
        let outgoing: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
            outgoing = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .byteBuffer(ByteBuffer(bytes: request.body)))
        } catch {
            return .failure("the URL cannot be used (\(Self.describe(error)))", permanent: true)
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(max(0, timeout) * 1000))
        // Only the start of an answer is kept: it says what went wrong, and a receiver cannot fill memory.
        let accumulator = ResponseAccumulator(request: outgoing, maxBodySize: 16 * 1024)
        do {
            let response = try client.execute(request: outgoing, delegate: accumulator, deadline: deadline).wait()
            let body = response.body.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
            return .response(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: body)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure("no answer within \(Self.seconds(timeout)) s", permanent: false)
        } catch {
            return .failure(Self.describe(error), permanent: false)
        }
    }

    /// Closes the connections and stops the client; call once, when done sending.
    func shutDown() {
        guard !isShutDown else { return }
        isShutDown = true
        try? client.syncShutdown()
    }

    deinit { shutDown() }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// An error as one line.
    /// Why no answer came, in plain words: a refused or reset connection, a host that does
    /// not resolve or cannot be reached; otherwise the client's own text, on one line.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return describe(errno: io.errnoCode) }
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty {
                return "the host \(connection.host) does not resolve (DNS)"
            }
            if let first = connection.connectionErrors.first { return describe(first.error) }
        }
        if let client = error as? HTTPClientError, client == .remoteConnectionClosed {
            return "the server closed the connection before it answered"
        }
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    private static func describe(errno code: CInt) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused: nothing listens at that address"
        case ECONNRESET: return "the connection was reset"
        case ETIMEDOUT: return "the connection timed out"
        case EHOSTUNREACH: return "the host cannot be reached"
        case ENETUNREACH: return "the network cannot be reached"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
