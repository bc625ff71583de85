internal import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// One POST at a time over AsyncHTTPClient, with a deadline, the answer read into plain values:
/// the outbox's sender and `ops slo pull` both send through it. The request runs on the client's
/// own event loop thread and the caller's thread waits for it, so `post` must be called from a
/// thread that may block (the CLI's main thread, a thread of its own in `ops serve`), never from
/// async code. Redirects are not followed: a POST is not re-sent, with its token or signed body,
/// to whoever the first address points to.
final class BlockingHTTP {
    struct Response {
        var status: Int
        var body: Data
        /// The value of the `Retry-After` header, when there is one.
        var retryAfter: String?
    }

    /// Why no answer came.
    enum Failure: Error, Equatable {
        /// The URL cannot be used at all (no retry helps).
        case unusableURL(String)
        /// No connection within the connect timeout (5 s).
        case connectTimedOut
        /// Connected, but no whole answer before the deadline.
        case timedOut
        /// The answer was larger than `maxBodySize`.
        case tooBig
        /// Refused, reset, unresolvable, closed early: in plain words (`ConnectionError.describe`).
        case failed(String)
    }

    private let client: HTTPClient
    private var isShutDown = false

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// POSTs `body` to `url`; `timeout` bounds the whole exchange, connecting included. Only the
    /// first `maxBodySize` bytes of an answer are accepted.
    func post(_ body: Data, headers: [String: String], to url: URL, timeout: TimeInterval, maxBodySize: Int) -> Result<Response, Failure> {
        let request: HTTPClient.Request
        do {
            var fields = HTTPHeaders()
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
            request = try HTTPClient.Request(url: url, method: .POST, headers: fields, body: .byteBuffer(ByteBuffer(bytes: body)))
        } catch {
            return .failure(.unusableURL(ConnectionError.describe(error)))
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(max(0, timeout) * 1000))
        let accumulator = ResponseAccumulator(request: request, maxBodySize: maxBodySize)
        do {
            let response = try client.execute(request: request, delegate: accumulator, deadline: deadline).wait()
            return .success(
                Response(
                    status: Int(response.status.code), body: response.body.map { Data($0.readableBytesView) } ?? Data(),
                    retryAfter: response.headers.first(name: "Retry-After")))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(.timedOut)
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .failure(.connectTimedOut)
        } catch is ResponseAccumulator.ResponseTooBigError {
            return .failure(.tooBig)
        } catch {
            return .failure(.failed(ConnectionError.describe(error)))
        }
    }

    /// Closes the connections and stops the client; call once, when done.
    func shutDown() {
        guard !isShutDown else { return }
        isShutDown = true
        try? client.syncShutdown()
    }

    deinit { shutDown() }
}

/// Why a connection failed, in plain words, for HTTP and PostgreSQL alike.
enum ConnectionError {
    /// A refused or reset connection, a host that does not resolve or cannot be reached;
    /// otherwise the error's own text, on one line.
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
        return oneLine(String(describing: error))
    }

    /// `text` on one line, at most 300 characters.
    static func oneLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
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
