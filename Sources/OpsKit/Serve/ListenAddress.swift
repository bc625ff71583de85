import Foundation

/// Where `ops serve` listens: `HOST:PORT`, with HOST an IPv4 address, `[IPv6]` or `localhost`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Which kind of IP address `host` is.
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }

    /// The numeric address, as `inet_pton` reads it.
    public let host: String
    public let family: Family
    /// 0 asks the system for a free port.
    public let port: UInt16

    /// Parses `127.0.0.1:9095`, `[::1]:9095`, `localhost:9095`, `0.0.0.0:9095`.
    public init(_ text: String) throws {
        let example = "Write it like 127.0.0.1:9095, [::1]:9095 or 0.0.0.0:9095"
        guard let colon = text.lastIndex(of: ":") else {
            throw OpsError.input("--listen '\(text)' has no port. \(example)")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = UInt16(portText) else {
            throw OpsError.input("--listen '\(text)': '\(portText)' is not a port (0 to 65535). \(example)")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw OpsError.input("--listen '\(text)': put an IPv6 address in brackets. \(example)")
        }
        if host.lowercased() == "localhost" { host = "127.0.0.1" }
        if Self.parses(host, family: AF_INET) {
            family = .ipv4
        } else if Self.parses(host, family: AF_INET6) {
            family = .ipv6
        } else {
            // Names other than localhost would need a resolver and could change under us.
            throw OpsError.input("--listen '\(text)': '\(host)' is not an IP address. \(example)")
        }
        self.host = host
        self.port = port
    }

    /// Whether only this machine can connect: 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch family {
        case .ipv4:
            var address = in_addr()
            _ = inet_pton(AF_INET, host, &address)
            return UInt32(bigEndian: address.s_addr) >> 24 == 127
        case .ipv6:
            var address = in6_addr()
            _ = inet_pton(AF_INET6, host, &address)
            return withUnsafeBytes(of: &address) { Array($0) } == Array(repeating: 0, count: 15) + [1]
        }
    }

    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func parses(_ host: String, family: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(family, host, &buffer) == 1
    }
}
