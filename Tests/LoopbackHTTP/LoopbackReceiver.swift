import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on a free loopback port that records every request and answers as the test
/// says: as Slack, Teams or a webhook receiver would, slowly, or with an error. Runs on its own
/// event loop thread, so a test blocked on a request never holds it up.
public final class LoopbackReceiver: @unchecked Sendable {  // `recorded` and `counts` are guarded by `lock`
    /// One request as it arrived.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: Data
        public var at: Date

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The answer to one request; `delay` holds it back (a slow server).
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public var delay: TimeInterval

        public init(_ status: Int, _ body: String = "", headers: [String: String] = [:], delay: TimeInterval = 0) {
            self.status = status
            self.body = body
            self.headers = headers
            self.delay = delay
        }
    }

    /// Answers a request, given how many came to the same path before it (0 for the first).
    public typealias Responder = @Sendable (Request, Int) -> Reply

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var counts: [String: Int] = [:]
    private let respond: Responder
    public private(set) var port = 0

    public init(_ respond: @escaping Responder) throws {
        self.respond = respond
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [unowned self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(self))
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Every request so far, in the order they arrived.
    public var requests: [Request] { lock.withLock { recorded } }

    /// Stops listening: a request to the port is refused from now on.
    public func stop() {
        try? channel?.close().wait()
        channel = nil
        try? group.syncShutdownGracefully()
    }

    fileprivate func answer(_ request: Request) -> Reply {
        let count = lock.withLock {
            recorded.append(request)
            defer { counts[request.path, default: 0] += 1 }
            return counts[request.path, default: 0]
        }
        return respond(request, count)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private unowned let owner: LoopbackReceiver
        private var head: HTTPRequestHead?
        private var body = ByteBuffer()

        init(_ owner: LoopbackReceiver) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let request = Request(
                    method: head.method.rawValue, path: head.uri, headers: headers, body: Data(body.readableBytesView), at: Date())
                let reply = owner.answer(request)
                let loop = context.eventLoop.assumeIsolated()
                if reply.delay > 0 {
                    loop.scheduleTask(in: .milliseconds(Int64(reply.delay * 1000))) { self.write(reply, context: context) }
                } else {
                    write(reply, context: context)
                }
            }
        }

        private func write(_ reply: Reply, context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            for (name, value) in reply.headers { headers.add(name: name, value: value) }
            headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
