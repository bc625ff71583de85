import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `ops serve`: an HTTP server around `AlertReceiver`, until SIGTERM or SIGINT.
///
/// Hummingbird (on SwiftNIO) carries the HTTP: it bounds request heads, and its graceful
/// shutdown stops accepting, lets every request in flight finish and be answered, then returns
/// (README, Design notes). It is used in this file only; the receiver does not know it.
///
/// Clients are not trusted to behave: a head must arrive within the head timeout, a kept-alive
/// connection is closed after the idle timeout, connections beyond the cap wait in the kernel's
/// queue (costing no descriptor) until one closes, and the cap is kept below the open-file
/// limit, which is raised to its hard value at start.
public final class AlertServer {
    public let address: ListenAddress
    let limits: ConnectionLimits
    let receiver: AlertReceiver
    let log: ServeLog
    let repository: String
    let tokenSource: String?
    /// Runs the escalation timers and sends the outbox while the server listens.
    let timers: ServeTimers

    /// Seconds between two passes of the escalation timers and the outbox.
    public static let defaultTimerInterval = 5.0

    /// Refuses an address other machines can reach unless a token guards it. Every
    /// `timerInterval` seconds, the escalation timers run and the outbox is sent.
    public init(
        address: ListenAddress, receiver: AlertReceiver, token: BearerToken?, repository: String, limits: ConnectionLimits = .init(),
        timerInterval: Double = defaultTimerInterval, log: ServeLog = .standardError
    ) throws {
        if !address.isLoopback && token == nil {
            throw OpsError.input(
                "--listen \(address) can be reached from other machines, so ops serve needs a token: set OPS_SERVE_TOKEN or pass --token-file FILE")
        }
        self.address = address
        self.limits = limits
        self.receiver = receiver
        self.log = log
        self.repository = repository
        self.tokenSource = token?.source
        self.timers = ServeTimers(writer: receiver.writer, log: log, interval: timerInterval)
    }

    /// Serves until SIGTERM or SIGINT, then answers the requests in flight, stores every
    /// delivery already accepted, and returns.
    public func run() throws {
        // Hummingbird's own messages (connection errors) are not ops serve's log; each request
        // already gets its line from the receiver.
        let quiet = Logger(label: "ops.serve", factory: { _ in SwiftLogNoOpLogHandler() })
        let files = FileLimit.raise()
        let cap = files?.connectionCap(requested: limits.maxConnections) ?? limits.maxConnections ?? FileLimit.defaultConnectionCeiling
        if let requested = limits.maxConnections, requested > cap, let files {
            log.record(
                "limits", level: "warn",
                [
                    "max_connections": String(cap), "requested": String(requested), "file_limit": String(files.soft),
                    "reason": "the open-file limit leaves room for \(cap) connections; raise it (ulimit -n, LimitNOFILE=) for more",
                ])
        }
        let prepared = receiver.prepare()
        let headTimeout = limits.headTimeout
        let metrics = receiver.metrics
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestHeadTimeoutHandler(
                    timeout: Self.amount(headTimeout),
                    onTimeout: { Task { await metrics.recordHeadTimeout() } })
            ],
            idleTimeout: Self.amount(limits.idleTimeout))
        let application = Application(
            responder: ReceiverResponder(receiver: receiver),
            server: .http1(configuration: http1),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: Int(address.port)),
                // Connections past the cap wait here, in the kernel, without a descriptor.
                backlog: Self.backlog,
                availableConnectionsDelegate: MaximumAvailableConnections(cap, logger: quiet)),
            onServerRunning: { [log, address, repository, tokenSource, limits, timers, prepared] channel in
                var bound = address.description
                if let local = channel.localAddress, let host = local.ipAddress, let port = local.port {
                    bound = address.family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
                }
                log.record(
                    "listening",
                    [
                        "address": bound, "repository": repository,
                        "auth": tokenSource.map { "bearer token from \($0)" } ?? "none (loopback only)",
                        "max_connections": String(cap), "file_limit": files.map { String($0.soft) } ?? "unknown",
                        "head_timeout": ConnectionLimits.seconds(limits.headTimeout),
                        "idle_timeout": ConnectionLimits.seconds(limits.idleTimeout),
                        "timers": ConnectionLimits.seconds(timers.interval),
                        "incidents": prepared.incidents, "prepare_ms": prepared.milliseconds,
                    ])
                // Only once listening: a server that cannot bind sends and escalates nothing.
                timers.start()
            },
            logger: quiet)
        let notice = ShutdownNotice { [log, receiver] in
            log.record("stopping", ["in_flight": String(await receiver.metrics.deliveriesInFlight)])
        }
        // Services stop in reverse order: the notice first, then the server, which stops
        // accepting and waits for every request in flight to be answered.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: application), .init(service: notice, successTerminationBehavior: .ignore)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: quiet))

        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await group.run()
            } catch {
                failure.set(error)
            }
            finished.signal()
        }
        finished.wait()
        timers.stop()
        receiver.drain()
        if let error = failure.error {
            throw OpsError.input("cannot serve on \(address): \(Self.describe(error)). Pick another --listen address or port")
        }
        log.record("stopped")
    }

    /// Pending connections the kernel holds before the server accepts them (capped by
    /// net.core.somaxconn).
    static let backlog = 1_024

    static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? ServiceGroupError { return "\(error)" }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }
}

/// How long a client may take, and how many may be connected at once.
public struct ConnectionLimits: Sendable {
    /// Seconds from a connection's start (or a next request's first byte) to the end of its head.
    public var headTimeout: Double
    /// Seconds a connection may stay without a request before it is closed.
    public var idleTimeout: Double
    /// At most this many connections at once; nil: as many as the open-file limit leaves room
    /// for, up to `FileLimit.defaultConnectionCeiling`.
    public var maxConnections: Int?

    public static let defaultHeadTimeout = 10.0
    public static let defaultIdleTimeout = 60.0

    public init(headTimeout: Double = defaultHeadTimeout, idleTimeout: Double = defaultIdleTimeout, maxConnections: Int? = nil) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// `10s`, `0.5s`: for the start-up line.
    static func seconds(_ value: Double) -> String {
        (value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)) + "s"
    }
}

/// The request context: Hummingbird's core storage, and the peer's address for log lines.
private struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The socket's peer, never X-Forwarded-For, which any client can write.
    let remote: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remote = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Hands Hummingbird's requests to the receiver and its answers back.
private struct ReceiverResponder: HTTPResponder {
    let receiver: AlertReceiver

    func respond(to request: Request, context: ServeContext) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = request.body
        var bodyRead = false
        let answer = await receiver.respond(
            to: .init(
                method: request.method.rawValue, path: request.uri.path, headers: headers,
                remote: context.remote)
        ) { limit in
            var data = Data()
            for try await buffer in body {
                data.append(contentsOf: buffer.readableBytesView)
                if data.count > limit { return nil }
            }
            bodyRead = true
            return data
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        let declaresBody = (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil
        if declaresBody && !bodyRead {
            // Refused before its body was read (no token, too large, wrong type or path): the
            // connection closes after the answer and the rest is dropped unread
            // (RequestHeadTimeoutHandler), so a client without the token cannot make the
            // server take in a body.
            fields[.connection] = "close"
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// Logs the start of a graceful shutdown, which ServiceLifecycle begins on SIGTERM or SIGINT.
private struct ShutdownNotice: ServiceLifecycle.Service {
    let notice: @Sendable () async -> Void

    init(_ notice: @escaping @Sendable () async -> Void) {
        self.notice = notice
    }

    func run() async throws {
        try? await gracefulShutdown()
        if Task.isShuttingDownGracefully { await notice() }
    }
}

/// The error the server stopped with, handed from its task to the waiting thread.
/// `@unchecked Sendable`: the one mutable field is only touched under the lock.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var error: (any Error)? { lock.withLock { stored } }
    func set(_ error: any Error) { lock.withLock { stored = error } }
}
