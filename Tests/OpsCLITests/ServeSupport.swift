import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `ops serve` started by a test on a free loopback port; always stopped by `stop()` or `kill()`.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var captured = Data()
    private(set) var port: UInt16 = 0

    /// Starts `ops serve ARGUMENTS` in `repo` and waits (at most 20 s) for its `listening` line.
    /// `fileLimit` sets both the soft and the hard open-file limit first (through the shell's
    /// `ulimit -n`, then `exec`, so the process is still the server).
    init(_ cli: CLI, in repo: String, arguments: [String] = [], environment extra: [String: String] = [:], fileLimit: Int? = nil) throws {
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", CLI.binary, "serve", "--listen", "127.0.0.1:0"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: repo)
        var environment = [
            "HOME": cli.home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "LANG": "C.UTF-8", "OPS_USER": "alice",
        ]
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.captured.append(data) }
        }
        try process.run()
        let found = try waitFor(seconds: 20) { log in
            log.range(of: #"event=listening address=127\.0\.0\.1:(\d+)"#, options: .regularExpression).map { String(log[$0]) }
        }
        guard let found, let port = UInt16(found.split(separator: ":").last ?? "") else {
            kill()
            throw ServeTestError("ops serve did not report listening within 20 s; its log: \(log)")
        }
        self.port = port
    }

    /// Everything written to standard error so far.
    var log: String { lock.withLock { String(decoding: captured, as: UTF8.self) } }

    /// The log lines of one event (`delivery`, `stopping`, ...).
    func lines(_ event: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(" event=\(event) ") || $0.hasSuffix(" event=\(event)") }
    }

    /// Polls the log every 20 ms until `check` gives a value, or `seconds` pass (then nil).
    func waitFor<T>(seconds: Double, _ check: (String) -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = check(log) { return value }
            if !process.isRunning { return check(log) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    /// SIGTERM, then waits at most `seconds` for the exit; returns the exit status (nil: had to kill).
    @discardableResult
    func stop(seconds: Double = 15) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else {
            kill()
            return nil
        }
        // Let the pipe hand over the last lines.
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }

    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { kill() }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A minimal HTTP/1.1 client on a blocking socket, so a test controls every header and byte
/// (and its timing is not a client library's). One request per connection.
enum HTTPProbe {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw ServeTestError("not a JSON object: \(text)") }
            return object
        }
    }

    static func send(
        port: UInt16, method: String = "POST", path: String = "/alertmanager", headers: [String: String] = [:],
        body: Data = Data(), timeout: Int = 60
    ) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeTestError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeTestError("connect to port \(port): \(String(cString: strerror(errno)))") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if headers.keys.first(where: { $0.lowercased() == "content-length" || $0.lowercased() == "transfer-encoding" }) == nil {
            head += "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        try write(fd, Data((head + "\r\n").utf8) + body)

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received.append(contentsOf: buffer[0..<count]); continue }
            if count == 0 { break }
            if errno == EINTR { continue }
            // A reset after the whole reply arrived still leaves a reply to read.
            if !received.isEmpty { break }
            throw ServeTestError("no reply from port \(port): \(String(cString: strerror(errno)))")
        }
        return try parse(received)
    }

    /// Sends `bytes` as they are and returns whatever comes back before the server closes.
    static func raw(port: UInt16, _ bytes: Data, timeout: Int = 10) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeTestError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeTestError("connect to port \(port): \(String(cString: strerror(errno)))") }
        try write(fd, bytes)
        shutdown(fd, Int32(SHUT_WR))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            return received
        }
    }

    private static func write(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    // The server may answer (413) and close before reading everything: read its reply.
                    if errno == EPIPE || errno == ECONNRESET { return }
                    throw ServeTestError("send: \(String(cString: strerror(errno)))")
                }
                offset += sent
            }
        }
    }

    private static func parse(_ data: Data) throws -> Reply {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { throw ServeTestError("incomplete reply: \(String(decoding: data, as: UTF8.self))") }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ServeTestError("bad status line: \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: Data(data[end.upperBound...]))
    }
}

/// A loopback port free at the moment of asking, for a server that cannot pick its own.
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw ServeTestError("no free port: \(String(cString: strerror(errno)))") }
    return UInt16(bigEndian: address.sin_port)
}

/// Alertmanager's webhook headers, with `token` as its bearer token.
func webhookHeaders(token: String?) -> [String: String] {
    var headers = ["Content-Type": "application/json", "User-Agent": "Alertmanager/0.25.0"]
    if let token { headers["Authorization"] = "Bearer \(token)" }
    return headers
}
