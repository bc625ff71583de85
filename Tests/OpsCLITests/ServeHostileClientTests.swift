import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ops serve` against clients that do not behave: half-sent heads by the thousand, idle
/// keep-alive connections, large bodies without the token. The built binary on loopback.
@Suite(.tags(.integration)) struct ServeHostileClientTests {
    static let token = ServeCLITests.token

    /// Slowloris: with the file limit at 1,024, 1,100 sockets that send half a request head and
    /// stall must neither stop a delivery nor stay open past the head timeout.
    @Test func halfOpenSocketsByTheThousandDoNotStopADeliveryAndAreClosedByTheHeadTimeout() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let server = try ServeProcess(
            cli, in: repo, arguments: ["--head-timeout", "2"], environment: ["OPS_SERVE_TOKEN": Self.token],
            fileLimit: 1_024)
        defer { server.kill() }
        // The hard limit is 1,024 too, so the raise at start cannot lift it: the cap keeps room for Git.
        let listening = try #require(server.lines("listening").first)
        #expect(listening.contains(" max_connections=896 file_limit=1024 head_timeout=2s idle_timeout=60s"), "\(listening)")

        var stalled = RawSockets()
        defer { stalled.closeAll() }
        // Taken before the first socket opens: opening 1,100 can take over a second on a busy machine.
        let opening = Date()
        try stalled.open(1_100, port: server.port, sending: "POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")

        let start = Date()
        let delivery = try HTTPProbe.send(
            port: server.port, headers: webhookHeaders(token: Self.token),
            body: try ServeCLITests.fixture("alertmanager-firing.json"), timeout: 30)
        let waited = Date().timeIntervalSince(start)
        #expect(delivery.status == 200, "\(delivery.text)")
        #expect(try (delivery.json()["opened"] as? [String])?.count == 1)
        // At most two rounds of the head timeout: the sockets ahead of it in the kernel's queue.
        #expect(waited < 8, "the delivery waited \(waited) s")

        // Every stalled socket is closed by the server, none before its head timeout.
        let allClosed = try ServeCLITests.waitUntil(seconds: 20) { stalled.closedByPeer() == 1_100 }
        let closedCount = stalled.closedByPeer()
        #expect(allClosed, "\(closedCount) of 1,100 closed")
        let firstClose = stalled.firstClose?.timeIntervalSince(opening)
        #expect(firstClose.map { $0 >= 1.5 } == true, "first close \(String(describing: firstClose)) s after opening")
        #expect(
            try ServeCLITests.waitUntil(seconds: 5) {
                (try? HTTPProbe.send(port: server.port, method: "GET", path: "/metrics"))?.text.contains("ops_serve_head_timeouts_total 1100\n") == true
            })
        #expect(server.process.isRunning)
        #expect(server.stop() == 0)
        #expect(server.lines("delivery").count == 1)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
    }

    /// A kept-alive connection waits for its next request up to the idle timeout (not the
    /// shorter head timeout); a connection that never sends a byte gets the head timeout.
    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let server = try ServeProcess(
            cli, in: repo, arguments: ["--head-timeout", "1", "--idle-timeout", "3", "--max-connections", "2000"],
            fileLimit: 1_024)
        defer { server.kill() }
        // More connections than the file limit has room for: lowered, and said so.
        #expect(
            server.lines("limits").first?.contains("level=warn event=limits max_connections=896 requested=2000 file_limit=1024") == true,
            "\(server.log)")

        var sockets = RawSockets()
        defer { sockets.closeAll() }
        let start = Date()
        try sockets.open(2, port: server.port, sending: nil)
        let keptAlive = sockets.descriptors[0], silent = sockets.descriptors[1]
        try RawSockets.send(keptAlive, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let reply = try RawSockets.receive(keptAlive, until: { $0.hasSuffix("\r\n\r\nok\n") }, seconds: 5)
        #expect(reply.hasPrefix("HTTP/1.1 200 "), "\(reply)")
        let answered = Date()

        let silentClosed = try #require(RawSockets.waitForClose(silent, seconds: 10))
        #expect(
            silentClosed.timeIntervalSince(start) >= 0.8 && silentClosed.timeIntervalSince(start) < 2.5,
            "closed after \(silentClosed.timeIntervalSince(start)) s")
        let keptAliveClosed = try #require(RawSockets.waitForClose(keptAlive, seconds: 10))
        #expect(
            keptAliveClosed.timeIntervalSince(answered) >= 2.5 && keptAliveClosed.timeIntervalSince(answered) < 6,
            "closed after \(keptAliveClosed.timeIntervalSince(answered)) s")
        #expect(server.stop() == 0)
    }

    /// The token is checked on the head: a client without it gets 401 while it is still sending
    /// its body, and the connection ends without the server waiting for (or reading) the rest.
    @Test func anUnauthenticatedLargeBodyIsRefusedBeforeItIsRead() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let server = try ServeProcess(cli, in: repo, arguments: ["--max-body", "100000000"], environment: ["OPS_SERVE_TOKEN": Self.token])
        defer { server.kill() }

        for authorization in ["", "Authorization: Bearer guess\r\n"] {
            var sockets = RawSockets()
            defer { sockets.closeAll() }
            try sockets.open(1, port: server.port, sending: nil)
            let fd = sockets.descriptors[0]
            // 50 MB declared, 64 KB sent: the rest never comes.
            try RawSockets.send(
                fd,
                "POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Content-Type: application/json\r\n"
                    + "Content-Length: 50000000\r\n\r\n{\"pad\": \"" + String(repeating: "x", count: 65_536))
            let sent = Date()
            let reply = try RawSockets.receive(fd, until: { $0.contains("\r\n\r\n") && $0.hasSuffix("}\n") }, seconds: 5)
            #expect(reply.hasPrefix("HTTP/1.1 401 "), "\(reply)")
            #expect(reply.lowercased().contains("connection: close"))
            let closed = try #require(RawSockets.waitForClose(fd, seconds: 10))
            #expect(closed.timeIntervalSince(sent) < 3, "closed after \(closed.timeIntervalSince(sent)) s")
        }
        // With the token the same head is read on, and the delivery goes through.
        let delivery = try HTTPProbe.send(
            port: server.port, headers: webhookHeaders(token: Self.token),
            body: try ServeCLITests.fixture("alertmanager-firing.json"))
        #expect(delivery.status == 200)
        #expect(server.stop() == 0)
        #expect(server.lines("delivery").filter { $0.contains("status=401 action=refused") }.count == 2)
    }
}

/// Plain non-blocking sockets to the server, for clients that misbehave on purpose.
struct RawSockets {
    private(set) var descriptors: [Int32] = []
    /// When the first socket was seen closed by the server.
    private(set) var firstClose: Date?
    private var closed = Set<Int32>()

    /// Opens `count` connections and sends `text` on each (once connected); throws when the
    /// test process itself runs out of descriptors.
    mutating func open(_ count: Int, port: UInt16, sending text: String?) throws {
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw ServeTestError("socket: \(String(cString: strerror(errno)))") }
            descriptors.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 || errno == EINPROGRESS else { throw ServeTestError("connect: \(String(cString: strerror(errno)))") }
        }
        // Wait (at most 10 s) until every socket is connected: the kernel completes the handshake
        // even for connections the server has not accepted yet, while its queue has room.
        let deadline = Date().addingTimeInterval(10)
        var pending = Set(descriptors.suffix(count))
        while !pending.isEmpty && Date() < deadline {
            var polls = pending.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 100)
            for entry in polls where entry.revents & Int16(POLLOUT) != 0 {
                pending.remove(entry.fd)
                if let text { try Self.send(entry.fd, text) }
            }
        }
        guard pending.isEmpty else { throw ServeTestError("\(pending.count) of \(count) sockets did not connect within 10 s") }
    }

    /// How many sockets the server has closed so far (end of stream or reset).
    mutating func closedByPeer() -> Int {
        var buffer = [UInt8](repeating: 0, count: 512)
        for fd in descriptors where !closed.contains(fd) {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closed.insert(fd)
                if firstClose == nil { firstClose = Date() }
            }
        }
        return closed.count
    }

    mutating func closeAll() {
        for fd in descriptors { close(fd) }
        descriptors = []
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(10)
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { offset += sent; continue }
            guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                // The server may refuse and stop reading before everything is sent.
                if errno == EPIPE || errno == ECONNRESET { return }
                throw ServeTestError("send: \(String(cString: strerror(errno)))")
            }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&entry, 1, 100)
        }
    }

    /// Reads until `done` holds for what arrived, the server closes, or `seconds` pass.
    static func receive(_ fd: Int32, until done: (String) -> Bool, seconds: Double) throws -> String {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = String(decoding: received, as: UTF8.self)
            if done(text) { return text }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 50)
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { received.append(contentsOf: buffer[0..<count]); continue }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// When the server closed `fd` (end of stream or reset), discarding anything else it sends;
    /// nil if it is still open after `seconds`.
    static func waitForClose(_ fd: Int32, seconds: Double) -> Date? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 20)
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return Date() }
            if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return Date() }
        }
        return nil
    }
}
