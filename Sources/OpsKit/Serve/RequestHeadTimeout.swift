import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Per connection: the request head must arrive whole within `timeout`, and a refused request
/// is not read any further.
///
/// A slowloris client opens connections and sends a request head a byte at a time, or half of
/// it and then nothing; each one holds a file descriptor until the process has none left for
/// Alertmanager. Hummingbird's idle timeout closes a connection only when no HTTP part moved
/// for its whole length, and is also how long a keep-alive connection may wait for its next
/// request, so it cannot be short. This handler gives the head its own, shorter clock: it runs
/// from the connection's start, or from the first byte of a later request on a kept-alive
/// connection, to the end of the head, whatever trickles in meanwhile.
///
/// A response that says `Connection: close` (a delivery refused before its body was read: no
/// token, too large, wrong type) ends the connection once it is written: the output is shut so
/// the client sees the answer and an end, the rest of the body is dropped unread (never handed
/// to the HTTP parser), and the connection is closed after a short linger. Hummingbird itself
/// would read the body to its end to keep the connection, which an unauthenticated client
/// could make last as long as it likes.
///
/// Sits after the HTTP codec, and puts a small companion at the front of the pipeline to see
/// raw bytes arrive. Both run on the channel's event loop only.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum State {
        /// Connected, or the first bytes of a next request came: the head clock runs.
        case awaitingHead
        /// A request is being read or answered.
        case inRequest
        /// Between requests on a kept-alive connection: Hummingbird's idle timeout governs.
        case idle
        /// Refused: the answer is out, input is dropped, the connection is about to close.
        case closing
    }

    let timeout: TimeAmount
    /// How long a closing connection waits for the client to hang up before it is cut.
    let linger: TimeAmount
    /// Called when the head clock closes a connection (for metrics).
    let onTimeout: @Sendable () -> Void
    private(set) var state = State.awaitingHead
    private var timer: Scheduled<Void>?
    private var closeAfterResponse = false

    init(timeout: TimeAmount, linger: TimeAmount = .seconds(2), onTimeout: @escaping @Sendable () -> Void = {}) {
        self.timeout = timeout
        self.linger = linger
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The companion must see bytes before the HTTP decoder buffers them.
        try? context.pipeline.syncOperations.addHandler(RawBytesObserver(owner: self), position: .first)
        if context.channel.isActive { startClock(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
    }

    func channelActive(context: ChannelHandlerContext) {
        startClock(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data), state != .closing {
            stopClock()
            state = .inRequest
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" {
                closeAfterResponse = true
                // Nothing more of this request is worth reading.
                state = .closing
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else {
                if state == .inRequest { state = .idle }
                context.write(data, promise: promise)
                return
            }
            let written = promise ?? context.eventLoop.makePromise()
            context.writeAndFlush(data, promise: written)
            let loop = context.eventLoop.assumeIsolated()
            let channel = context.channel
            written.futureResult.assumeIsolated().whenComplete { [linger] _ in
                // Half-close: the client reads the answer and an end of stream; a full close
                // with unread input would send a reset that can overtake the answer.
                channel.close(mode: .output, promise: nil)
                loop.scheduleTask(in: linger) { channel.close(promise: nil) }
            }
        }
    }

    /// Bytes arrived from the socket, before the HTTP decoder. Returns false to drop them.
    fileprivate func bytesArrived(_ context: ChannelHandlerContext) -> Bool {
        switch state {
        case .closing:
            return false
        case .idle:
            state = .awaitingHead
            startClock(context)
        case .awaitingHead, .inRequest:
            break
        }
        return true
    }

    private func startClock(_ context: ChannelHandlerContext) {
        guard timer == nil, state == .awaitingHead else { return }
        let channel = context.channel
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            timer = nil
            guard state == .awaitingHead else { return }
            onTimeout()
            channel.close(promise: nil)
        }
    }

    private func stopClock() {
        timer?.cancel()
        timer = nil
    }
}

/// The front of the pipeline: tells `RequestHeadTimeoutHandler` when bytes arrive, and drops
/// them once the connection is closing.
private final class RawBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let owner: RequestHeadTimeoutHandler

    init(owner: RequestHeadTimeoutHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if owner.bytesArrived(context) { context.fireChannelRead(data) }
    }
}

@available(*, unavailable)
extension RequestHeadTimeoutHandler: Sendable {}
