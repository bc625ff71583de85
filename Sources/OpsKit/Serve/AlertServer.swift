import Dispatch
import FlyingFox
import FlyingSocks
import Foundation

/// `ops serve`: an HTTP server around `AlertReceiver`, until SIGTERM or SIGINT.
///
/// FlyingFox carries the HTTP: small, pure Swift on async/await and non-blocking sockets,
/// no SwiftNIO to build (README, Design notes). It is used in this file only; the receiver
/// does not know it.
public final class AlertServer {
    public let address: ListenAddress
    let receiver: AlertReceiver
    let log: ServeLog
    let repository: String
    let tokenSource: String?

    /// Refuses an address other machines can reach unless a token guards it.
    public init(address: ListenAddress, receiver: AlertReceiver, token: BearerToken?, repository: String, log: ServeLog = .standardError) throws {
        if !address.isLoopback && token == nil {
            throw OpsError.input("--listen \(address) can be reached from other machines, so ops serve needs a token: set OPS_SERVE_TOKEN or pass --token-file FILE")
        }
        self.address = address
        self.receiver = receiver
        self.log = log
        self.repository = repository
        self.tokenSource = token?.source
    }

    /// Serves until SIGTERM or SIGINT, then answers the requests in flight, stores every
    /// delivery already accepted, and returns.
    public func run() throws {
        // A client that hangs up must not kill the server; FlyingFox also sends with MSG_NOSIGNAL.
        signal(SIGPIPE, SIG_IGN)
        let socketAddress: any SocketAddress
        do {
            switch address.family {
            case .ipv4: socketAddress = try sockaddr_in.inet(ip4: address.host, port: address.port)
            case .ipv6: socketAddress = try sockaddr_in6.inet6(ip6: address.host, port: address.port)
            }
        } catch {
            throw OpsError.input("--listen \(address): \(error.localizedDescription)")
        }
        let state = ServerState()
        let config = HTTPServer.Configuration(
            address: socketAddress,
            // A delivery may wait behind others for the writer; FlyingFox answers 500 after this.
            timeout: 300,
            logger: ServerLogger(log: log, state: state))
        let server = HTTPServer(config: config, handler: ReceiverHandler(receiver: receiver, state: state, log: log))

        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await server.run()
            } catch {
                if !state.isStopping { failure.set(error) }
            }
            finished.signal()
        }
        Task { [log, address, repository, tokenSource] in
            guard (try? await server.waitUntilListening(timeout: 30)) != nil else { return }
            var bound = address.description
            if case .ip4(let host, let port)? = await server.listeningAddress { bound = "\(host):\(port)" }
            if case .ip6(let host, let port)? = await server.listeningAddress { bound = "[\(host)]:\(port)" }
            log.record("listening", ["address": bound, "repository": repository,
                                     "auth": tokenSource.map { "bearer token from \($0)" } ?? "none (loopback only)"])
        }

        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [log] in
                guard state.beginStopping() else { return }
                log.record("stopping", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT", "in_flight": String(state.inFlight)])
                Task {
                    // New requests get 503 from now on; the ones in flight finish first. FlyingFox's
                    // own stop(timeout:) waits out its whole timeout on Linux (closing the listening
                    // socket does not wake its epoll wait), so the wait for requests happens here
                    // and stop only gets the moment needed to write their responses.
                    let deadline = DispatchTime.now().uptimeNanoseconds + 120 * 1_000_000_000
                    while state.inFlight > 0 && DispatchTime.now().uptimeNanoseconds < deadline {
                        try? await Task.sleep(nanoseconds: 20_000_000)
                    }
                    await server.stop(timeout: 0.5)
                }
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }

        finished.wait()
        receiver.drain()
        if let error = failure.error {
            throw OpsError.input("cannot serve on \(address): \(Self.describe(error)). Pick another --listen address or port")
        }
        log.record("stopped")
    }

    private static func describe(_ error: any Error) -> String {
        if let socket = error as? SocketError, case .failed(_, _, let message) = socket { return message }
        return error.localizedDescription
    }
}

/// Hands FlyingFox's requests to the receiver and its answers back.
private struct ReceiverHandler: HTTPHandler {
    let receiver: AlertReceiver
    let state: ServerState
    let log: ServeLog

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard state.enter() else {
            // Shutting down: Alertmanager retries a 503, at the next instance if there is one.
            log.record("request", level: "warn", ["status": "503", "method": request.method.rawValue, "path": request.path,
                                                  "reason": "shutting down"])
            return HTTPResponse(statusCode: HTTPStatusCode(503, phrase: Self.phrase(503)),
                                headers: [.connection: "close", .contentType: "application/json"],
                                body: Data(#"{"error":"ops serve is shutting down; retry"}"#.utf8 + [10]))
        }
        defer { state.leave() }
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        // The socket's peer, never X-Forwarded-For, which any client can write.
        let remote: String
        switch request.remoteAddress {
        case .ip4(let host, _)?, .ip6(let host, _)?: remote = host
        case .unix(let path)?: remote = path
        case nil: remote = "unknown"
        }
        let body = request.bodySequence
        let answer = await receiver.respond(to: .init(method: request.method.rawValue, path: request.path, headers: headers, remote: remote)) { limit in
            var data = Data()
            for try await chunk in body {
                data.append(chunk)
                if data.count > limit { return nil }
            }
            return data
        }
        var responseHeaders = HTTPHeaders()
        for (name, value) in answer.headers { responseHeaders[HTTPHeader(name)] = value }
        if answer.status == 413 {
            // The rest of the body was not read; the connection cannot carry another request.
            responseHeaders[.connection] = "close"
        }
        return HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: Self.phrase(answer.status)),
                            headers: responseHeaders, body: answer.body)
    }

    static func phrase(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
         413: "Content Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error",
         503: "Service Unavailable"][status] ?? "Status \(status)"
    }
}

/// FlyingFox's own messages as log lines: connection errors as warnings, its per-connection
/// chatter dropped, and nothing once shutting down (closing the socket is not an error then).
private struct ServerLogger: Logging {
    let log: ServeLog
    let state: ServerState

    func logDebug(_ debug: @autoclosure () -> String) {}
    func logInfo(_ info: @autoclosure () -> String) {}
    func logWarning(_ warning: @autoclosure () -> String) { report("warn", warning()) }
    func logError(_ error: @autoclosure () -> String) { report("warn", error()) }
    func logCritical(_ critical: @autoclosure () -> String) { report("error", critical()) }

    private func report(_ level: String, _ message: String) {
        guard !state.isStopping else { return }
        log.record("http", level: level, ["detail": message])
    }
}

/// Whether the server is stopping, and how many requests are being handled; read from any thread.
/// `@unchecked Sendable`: the mutable fields are only touched under the lock.
private final class ServerState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var running = 0

    var isStopping: Bool { lock.withLock { stopping } }
    var inFlight: Int { lock.withLock { running } }

    /// Counts a request in; false once stopping, when it must be turned away.
    func enter() -> Bool {
        lock.withLock {
            guard !stopping else { return false }
            running += 1
            return true
        }
    }

    func leave() { lock.withLock { running -= 1 } }

    /// Marks the server as stopping; false when it already was.
    func beginStopping() -> Bool {
        lock.withLock {
            defer { stopping = true }
            return !stopping
        }
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
