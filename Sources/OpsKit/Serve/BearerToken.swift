import Foundation

/// The shared secret Alertmanager sends as `Authorization: Bearer ...`. Never printed:
/// its description is a placeholder, so an interpolation by mistake leaks nothing.
public struct BearerToken: Sendable, CustomStringConvertible {
    private let bytes: [UInt8]
    /// Where it came from, for the start-up line: `OPS_SERVE_TOKEN` or the file's path.
    public let source: String

    public var description: String { "<token from \(source)>" }

    /// The token from `OPS_SERVE_TOKEN` or from the first line of `file`; nil when neither is given.
    public static func load(file: String?, environment: [String: String], currentDirectory: String) throws -> BearerToken? {
        let variable = environment["OPS_SERVE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        switch (file, variable) {
        case (.some, .some):
            throw OpsError.input("both OPS_SERVE_TOKEN and --token-file are set; use one of them")
        case (nil, nil):
            return nil
        case (nil, let value?):
            return try BearerToken(value, source: "OPS_SERVE_TOKEN")
        case (let file?, nil):
            let path = Workspace.absolute(file, from: currentDirectory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw OpsError.input("cannot read the token file \(file). Give a file holding the token on its first line")
            }
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return try BearerToken(line, source: file)
        }
    }

    init(_ text: String, source: String) throws {
        let token = text.trimmingCharacters(in: .whitespaces)
        // RFC 6750's token68 characters, so the header Alertmanager builds carries it unchanged.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")
        guard !token.isEmpty else {
            throw OpsError.input("the token in \(source) is empty. Put a long random string there (openssl rand -hex 32)")
        }
        guard token.allSatisfy({ allowed.contains($0) }) else {
            throw OpsError.input(
                "the token in \(source) has characters a bearer token cannot carry; use letters, digits and - . _ ~ + / = (openssl rand -hex 32)")
        }
        bytes = Array(token.utf8)
        self.source = source
    }

    /// Whether an `Authorization` header carries this token. Compares every byte whatever
    /// differs first, so the time taken does not tell how much of a guess was right.
    public func accepts(authorization header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for index in bytes.indices {
            difference |= bytes[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
