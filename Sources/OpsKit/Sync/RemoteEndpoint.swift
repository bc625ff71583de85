import Foundation
import GitStore

/// Where a remote URL points and how ops authenticates there: local paths and `file://` need
/// nothing; ssh uses the agent or a key file and checks the host key against known_hosts;
/// https uses `OPS_GIT_TOKEN` or Git's credential helpers. Nothing secret is stored or printed.
struct RemoteEndpoint {
    enum Transport: Equatable { case local, ssh, https, other }

    let url: String
    let transport: Transport
    let host: String?
    let port: Int
    let user: String?

    init(_ url: String) {
        self.url = url
        if let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), url.contains("://") {
            host = components.host
            user = components.user
            switch scheme {
            case "ssh", "git+ssh", "ssh+git":
                transport = .ssh
                port = components.port ?? 22
            case "https", "http":
                transport = .https
                port = components.port ?? (scheme == "https" ? 443 : 80)
            case "file":
                transport = .local
                port = 0
            default:
                transport = .other
                port = components.port ?? 0
            }
            return
        }
        // scp-like `user@host:path`: a colon before any slash, and not a Windows drive letter.
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), url.distance(from: url.startIndex, to: colon) > 1 {
            let authority = String(url[..<colon])
            if let at = authority.lastIndex(of: "@") {
                user = String(authority[..<at])
                host = String(authority[authority.index(after: at)...])
            } else {
                user = nil
                host = authority
            }
            transport = .ssh
            port = 22
            return
        }
        transport = .local
        host = nil
        port = 0
        user = nil
    }

    /// The folder a local remote names (a path or `file://`), nil for other transports.
    var localPath: String? {
        guard transport == .local else { return nil }
        if url.lowercased().hasPrefix("file://") { return URLComponents(string: url)?.percentEncodedPath.removingPercentEncoding ?? String(url.dropFirst(7)) }
        return url
    }

    /// The URL with any `user:password@` removed, for messages.
    var redacted: String {
        guard transport == .https || transport == .other, var components = URLComponents(string: url) else { return url }
        components.password = nil
        components.user = nil
        return components.string ?? url
    }

    /// The access rules for this endpoint in this environment.
    func access(environment: [String: String], repositoryRoot: String, progress: (@Sendable (String) -> Void)? = nil) -> RemoteAccess {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let knownHosts = home + "/.ssh/known_hosts"
        let port = self.port
        let sshKeys = Self.sshCredentials(environment: environment, home: home)
        let token = environment["OPS_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let url = self.url
        let environmentCopy = environment
        return RemoteAccess(
            credentials: { request in
                if request.allowsSSHKey {
                    // One credential per attempt: libgit2 asks again after each one fails.
                    let user = request.userFromURL ?? "git"
                    let index = request.attempt - 1
                    return index < sshKeys.count ? sshKeys[index](user) : nil
                }
                guard request.allowsUserPassword, request.attempt == 1 else { return nil }
                if let token { return .userPassword(user: request.userFromURL ?? "x-access-token", password: token) }
                return Self.credentialHelper(url: url, user: request.userFromURL, environment: environmentCopy, directory: repositoryRoot)
            },
            checkHostKey: { key in try KnownHosts.check(key, port: port, file: knownHosts) },
            progress: progress)
    }

    /// ssh credentials in the order tried: `OPS_SSH_KEY`, the agent, then the usual key files.
    static func sshCredentials(environment: [String: String], home: String) -> [@Sendable (String) -> Credential] {
        var result: [@Sendable (String) -> Credential] = []
        func key(_ path: String) -> @Sendable (String) -> Credential {
            let publicKey = FileManager.default.fileExists(atPath: path + ".pub") ? path + ".pub" : nil
            return { user in .sshKey(user: user, privateKey: path, publicKey: publicKey, passphrase: nil) }
        }
        if let path = environment["OPS_SSH_KEY"], !path.isEmpty { result.append(key(path)) }
        if let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty { result.append { user in .sshAgent(user: user) } }
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] where FileManager.default.fileExists(atPath: home + "/.ssh/" + name) {
            result.append(key(home + "/.ssh/" + name))
        }
        return result
    }

    /// Asks Git's configured credential helpers (`git credential fill`), never prompting.
    static func credentialHelper(url: String, user: String?, environment: [String: String], directory: String) -> Credential? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        var input = "protocol=\(scheme)\nhost=\(host)\(components.port.map { ":\($0)" } ?? "")\n"
        if !components.path.isEmpty { input += "path=\(components.path.dropFirst())\n" }
        if let user { input += "username=\(user)\n" }
        input += "\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "credential", "fill"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"  // a helper may answer; nobody is asked at a prompt
        env["GIT_ASKPASS"] = "true"
        env["SSH_ASKPASS"] = "true"
        process.environment = env
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let password = fields["password"], !password.isEmpty else { return nil }
        return .userPassword(user: fields["username"] ?? user ?? "", password: password)
    }
}
