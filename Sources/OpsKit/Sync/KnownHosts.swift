internal import Crypto
import Foundation
import GitStore

/// The SSH host-key check libgit2 leaves to its caller: the server's key must be the one
/// `~/.ssh/known_hosts` lists for the host (and port), as OpenSSH's StrictHostKeyChecking=yes.
/// Reads plain and hashed (`|1|salt|hash`) host names, comma lists, `*`/`?` patterns, `!`
/// negations, `[host]:port`, and `@revoked` lines; `@cert-authority` lines are not used.
enum KnownHosts {
    enum Verdict: Equatable {
        case trusted
        /// No line for this host and key type.
        case unknown
        /// The host is listed with another key of this type, or this key is revoked.
        case changed
    }

    /// How `known_hosts` names a host: `host`, or `[host]:port` when the port is not 22.
    static func name(host: String, port: Int) -> String { port == 22 ? host : "[\(host)]:\(port)" }

    static func verdict(for key: HostKey, port: Int, knownHosts text: String) -> Verdict {
        guard let blob = key.blob, let algorithm = key.algorithm else { return .unknown }
        let name = self.name(host: key.host, port: port)
        var sameTypeOtherKey = false
        for line in text.split(whereSeparator: \.isNewline) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var marker: String?
            if first.hasPrefix("@") {
                marker = first
                fields.removeFirst()
            }
            guard fields.count >= 3, matches(name, patterns: fields[0]) else { continue }
            guard fields[1] == algorithm, let listed = Data(base64Encoded: fields[2]) else { continue }
            switch marker {
            case "@revoked"?:
                if listed == blob { return .changed }
            case nil:
                if listed == blob { return .trusted }
                sameTypeOtherKey = true
            default:
                continue  // @cert-authority: host certificates are not checked by ops
            }
        }
        return sameTypeOtherKey ? .changed : .unknown
    }

    /// True when `name` matches the comma-separated patterns and no negated one.
    static func matches(_ name: String, patterns field: String) -> Bool {
        if field.hasPrefix("|1|") { return matchesHashed(name, field) }
        // Only `*` and `?` are wildcards in known_hosts; the brackets of `[host]:port` are literal.
        func glob(_ pattern: Substring) -> Bool {
            let escaped = pattern.lowercased().replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
            return fnmatch(escaped, name.lowercased(), 0) == 0
        }
        var matched = false
        for pattern in field.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if glob(pattern.dropFirst()) { return false }
            } else if glob(pattern) {
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `HashKnownHosts yes` writes names.
    private static func matchesHashed(_ name: String, _ field: String) -> Bool {
        let parts = field.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let hash = Data(base64Encoded: String(parts[2])) else {
            return false
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(mac) == hash
    }

    /// The fingerprint as `ssh-keygen -l` shows it: `SHA256:` and unpadded base64.
    static func fingerprint(_ key: HostKey) -> String {
        let digest = key.blob.map { Data(SHA256.hash(data: $0)) } ?? key.sha256 ?? Data()
        var text = digest.base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return "SHA256:" + text
    }

    /// Throws, with the fingerprint and what to do, unless `key` is listed for the host.
    static func check(_ key: HostKey, port: Int, file: String) throws {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let name = self.name(host: key.host, port: port)
        let shown = "\(key.algorithm ?? "unknown type") key \(fingerprint(key))"
        switch verdict(for: key, port: port, knownHosts: text) {
        case .trusted:
            return
        case .unknown:
            let scan = port == 22 ? "ssh-keyscan \(key.host)" : "ssh-keyscan -p \(port) \(key.host)"
            throw GitStoreError.hostKeyRejected(
                message:
                    "refusing ssh host \(name): it is not in \(file) (it offers \(shown)). If that fingerprint is the server's, add it with `\(scan) >> \(file)` and run ops sync again"
            )
        case .changed:
            throw GitStoreError.hostKeyRejected(
                message:
                    "refusing ssh host \(name): its key does not match \(file) (it now offers \(shown)); someone may be intercepting the connection and nothing was sent. If the server's key really changed, remove the old entry with `ssh-keygen -R '\(name)'` and add the new one"
            )
        }
    }
}
