internal import CGit2
public import Foundation

/// A server's SSH host key, as the transport received it during the handshake.
public struct HostKey: Sendable, Equatable {
    /// The host name from the URL (the port is not given by libgit2; the caller knows it).
    public var host: String
    /// The key's algorithm as known_hosts writes it (`ssh-ed25519`, `ssh-rsa`, ...), nil when unknown.
    public var algorithm: String?
    /// The key blob as known_hosts holds it (base64-decoded), nil when the transport gave none.
    public var blob: Data?
    /// SHA-256 of the key blob, as `ssh-keygen -l` shows it.
    public var sha256: Data?

    public init(host: String, algorithm: String?, blob: Data?, sha256: Data?) {
        self.host = host
        self.algorithm = algorithm
        self.blob = blob
        self.sha256 = sha256
    }
}

/// Credentials for one connection attempt.
public enum Credential: Sendable {
    /// Keys from the running ssh-agent (`SSH_AUTH_SOCK`).
    case sshAgent(user: String)
    /// A private key file (and its `.pub` next to it when there is one).
    case sshKey(user: String, privateKey: String, publicKey: String?, passphrase: String?)
    /// A user name and password or token, for https.
    case userPassword(user: String, password: String)
}

/// What a credentials request knows: the URL, the user name in it, and what the server accepts.
public struct CredentialRequest: Sendable {
    public var url: String
    public var userFromURL: String?
    public var allowsSSHKey: Bool
    public var allowsUserPassword: Bool
    /// 1 on the first request of a connection; libgit2 asks again after a failed attempt.
    public var attempt: Int
}

/// How to reach a remote: where credentials come from and how SSH host keys are checked.
public struct RemoteAccess: Sendable {
    /// Credentials for a request, nil to give up (the connection then fails with an auth error).
    public var credentials: @Sendable (CredentialRequest) -> Credential?
    /// Checks an SSH host key; throws to refuse the server (the error is rethrown by the call).
    public var checkHostKey: @Sendable (HostKey) throws -> Void
    /// Transfer progress (`Receiving objects: 40% (400/1000)`), for a terminal; nil for none.
    public var progress: (@Sendable (String) -> Void)?

    public init(
        credentials: @escaping @Sendable (CredentialRequest) -> Credential?,
        checkHostKey: @escaping @Sendable (HostKey) throws -> Void,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.credentials = credentials
        self.checkHostKey = checkHostKey
        self.progress = progress
    }
}

/// How a push ended.
public enum PushOutcome: Sendable, Equatable {
    case pushed
    /// The remote moved meanwhile: fetch, merge and push again.
    case behind
    /// The remote refused the update for another reason (a hook, a protected branch, a checked-out
    /// branch in a non-bare repository); `reason` is its word.
    case rejected(reason: String)
}

extension GitRepository {
    /// How often libgit2 may ask for credentials in one connection before ops gives up; it asks
    /// again after every failed attempt and would loop forever on a wrong key.
    static let maximumCredentialAttempts = 3

    /// The URL of remote `name`, nil when there is no such remote.
    public func remoteURL(_ name: String) throws -> String? {
        try lookupRemote(name)?.url
    }

    /// Adds a remote with Git's default fetch refspec.
    public func addRemote(_ name: String, url: String) throws {
        _ = try owned(by: { GitRemote($0, owner: handle) }) { git_remote_create(&$0, handle.pointer, name, url) }
    }

    /// The commit `refs/remotes/<remote>/<branch>` points at (as of the last fetch), nil when none.
    public func trackingCommit(remote: String, branch: String) throws -> ObjectID? {
        let name = "refs/remotes/\(remote)/\(Self.shortBranch(branch))"
        // No ref can have a name Git refuses, so there is none to find.
        var valid: Int32 = 0
        try check(git_reference_name_is_valid(&valid, name))
        guard valid == 1 else { return nil }
        var oid = git_oid()
        guard try found(git_reference_name_to_id(&oid, handle.pointer, name)) else { return nil }
        return ObjectID(oid)
    }

    /// Fetches `branch` of `remote` into `refs/remotes/<remote>/<branch>` and returns what it
    /// points at now (nil when the remote has no such branch yet).
    public func fetch(remote name: String, branch: String, access: RemoteAccess) throws -> ObjectID? {
        let short = Self.shortBranch(branch)
        let (remote, context) = try connectable(name, access: access)
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)))
        options.callbacks = try context.callbacks()
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        // A branch that is missing on the remote (a first sync into an empty one) is not an error.
        let refspec = "+refs/heads/\(short):refs/remotes/\(name)/\(short)"
        let result = withStringArray([refspec]) { specs in
            withExtendedLifetime(context) { git_remote_fetch(remote.pointer, specs, &options, reflogMessage("sync: fetch")) }
        }
        try context.finish(result, remote: name)
        return try trackingCommit(remote: name, branch: short)
    }

    /// Pushes the local `branch` to the same branch of `remote`, never forced: a remote that moved
    /// meanwhile rejects it and nothing changes there. On success the tracking ref follows.
    public func push(remote name: String, branch: String, access: RemoteAccess) throws -> PushOutcome {
        let short = Self.shortBranch(branch)
        let (remote, context) = try connectable(name, access: access)
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)))
        options.callbacks = try context.callbacks()
        let refspec = "refs/heads/\(short):refs/heads/\(short)"  // no leading +: never a forced update
        let result = withStringArray([refspec]) { specs in
            withExtendedLifetime(context) { git_remote_push(remote.pointer, specs, &options) }
        }
        guard try context.finish(result, remote: name) else { return .behind }
        if let reason = context.rejection {
            // What git-receive-pack says when the branch moved under the push.
            let behind = ["non-fast-forward", "fetch first", "stale info", "failed to update ref", "failed to lock"]
            return behind.contains { reason.contains($0) } ? .behind : .rejected(reason: reason)
        }
        return .pushed
    }

    /// How many commits `local` has that `upstream` has not, and the other way round.
    public func aheadBehind(_ local: ObjectID, _ upstream: ObjectID) throws -> (ahead: Int, behind: Int) {
        var ahead = 0, behind = 0
        var a = local.oid, b = upstream.oid
        try check(git_graph_ahead_behind(&ahead, &behind, handle.pointer, &a, &b))
        return (ahead, behind)
    }

    /// The remote `name` and the callbacks for talking to it. libgit2 started without its CA
    /// certificates (CGitStartup): an https remote gets them loaded here.
    private func connectable(_ name: String, access: RemoteAccess) throws -> (GitRemote, RemoteContext) {
        guard let remote = try lookupRemote(name) else { throw GitStoreError.noSuchRemote(name: name) }
        let url = remote.url ?? name
        if url.lowercased().hasPrefix("https://") { try TLSCertificates.load() }
        if let workTree, Self.isRelativePath(url) {
            // Git reads a relative path from the top of the work tree; libgit2 from wherever the
            // process started (`ops -C repo sync` from outside it found no remote).
            try check(git_remote_set_instance_url(remote.pointer, workTree + "/" + url))
        }
        return (remote, RemoteContext(access: access, url: url))
    }

    /// The remote `name`, nil when there is none. A name Git refuses cannot be configured, so
    /// there is none of that name either.
    private func lookupRemote(_ name: String) throws -> GitRemote? {
        if name.contains("\0") { throw GitStoreError.noSuchRemote(name: name) }
        var valid: Int32 = 0
        try check(git_remote_name_is_valid(&valid, name))
        guard valid == 1 else { return nil }
        return try ownedIfFound(by: { GitRemote($0, owner: handle) }) { git_remote_lookup(&$0, handle.pointer, name) }
    }

    /// True for a remote URL that is a relative file path (`../shared.git`): not a URL with a
    /// scheme, not scp-like `host:path` (a colon before any slash), not absolute.
    static func isRelativePath(_ url: String) -> Bool {
        guard !url.isEmpty, !url.hasPrefix("/"), !url.hasPrefix("~"), !url.contains("://") else { return false }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return false }
        return true
    }

    static func shortBranch(_ branch: String) -> String {
        branch.hasPrefix("refs/heads/") ? String(branch.dropFirst("refs/heads/".count)) : branch
    }
}

private func withStringArray<T>(_ strings: [String], _ body: (UnsafePointer<git_strarray>) -> T) -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    var array = pointers
    return array.withUnsafeMutableBufferPointer { buffer in
        var value = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&value)
    }
}

/// What the C callbacks of one connection share: the caller's access rules, how often
/// credentials were asked for, the first error a callback threw, and a push rejection.
private final class RemoteContext {
    let access: RemoteAccess
    let url: String
    var attempts = 0
    var error: Error?
    var rejection: String?
    private var lastShown = ""

    init(access: RemoteAccess, url: String) {
        self.access = access
        self.url = url
    }

    /// The callbacks, with this context as payload; the context must outlive the libgit2 call.
    func callbacks() throws(GitError) -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        try check(git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)))
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, url, user, allowed, payload in
            let context = Unmanaged<RemoteContext>.fromOpaque(payload!).takeUnretainedValue()
            return context.credential(out, url: url, user: user, allowed: allowed)
        }
        callbacks.certificate_check = { cert, valid, host, payload in
            let context = Unmanaged<RemoteContext>.fromOpaque(payload!).takeUnretainedValue()
            return context.certificate(cert, valid: valid, host: host)
        }
        if access.progress != nil {
            callbacks.transfer_progress = { stats, payload in
                guard let stats, let payload else { return 0 }
                let context = Unmanaged<RemoteContext>.fromOpaque(payload).takeUnretainedValue()
                context.show("Receiving objects", Int(stats.pointee.received_objects), Int(stats.pointee.total_objects))
                return 0
            }
            callbacks.push_transfer_progress = { current, total, _, payload in
                guard let payload else { return 0 }
                let context = Unmanaged<RemoteContext>.fromOpaque(payload).takeUnretainedValue()
                context.show("Writing objects", Int(current), Int(total))
                return 0
            }
        }
        callbacks.push_update_reference = { refname, status, payload in
            // A server-side refusal arrives only here; the push call itself returns 0.
            let context = Unmanaged<RemoteContext>.fromOpaque(payload!).takeUnretainedValue()
            if let status { context.rejection = String(cString: status) }
            _ = refname
            return 0
        }
        return callbacks
    }

    /// Reports progress when the shown percentage changes, so a terminal is not flooded.
    func show(_ what: String, _ done: Int, _ total: Int) {
        guard let progress = access.progress, total > 0 else { return }
        let line = "\(what): \(done * 100 / total)% (\(done)/\(total))"
        guard line != lastShown, done == total || !lastShown.hasPrefix("\(what): \(done * 100 / total)%") else { return }
        lastShown = line
        progress(line)
    }

    private func credential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, url: UnsafePointer<CChar>?,
        user: UnsafePointer<CChar>?, allowed: UInt32
    ) -> Int32 {
        attempts += 1
        guard attempts <= GitRepository.maximumCredentialAttempts else {
            error = GitStoreError.remoteFailed(remote: self.url, message: "authentication failed \(GitRepository.maximumCredentialAttempts) times")
            return GIT_EUSER.rawValue
        }
        let request = CredentialRequest(
            url: url.map { String(cString: $0) } ?? self.url, userFromURL: user.map { String(cString: $0) },
            allowsSSHKey: allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0,
            allowsUserPassword: allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, attempt: attempts)
        guard let credential = access.credentials(request) else { return GIT_PASSTHROUGH.rawValue }
        switch credential {
        case .sshAgent(let user):
            return git_credential_ssh_key_from_agent(out, user)
        case .sshKey(let user, let privateKey, let publicKey, let passphrase):
            return git_credential_ssh_key_new(out, user, publicKey, privateKey, passphrase)
        case .userPassword(let user, let password):
            return git_credential_userpass_plaintext_new(out, user, password)
        }
    }

    private func certificate(_ cert: UnsafeMutablePointer<git_cert>?, valid: Int32, host: UnsafePointer<CChar>?) -> Int32 {
        guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            return GIT_PASSTHROUGH.rawValue  // TLS: libgit2's own verification against the CA bundle decides
        }
        let hostKey = cert.withMemoryRebound(to: git_cert_hostkey.self, capacity: 1) { $0.pointee }
        var key = HostKey(host: host.map { String(cString: $0) } ?? "", algorithm: nil, blob: nil, sha256: nil)
        if hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey {
            key.blob = Data(bytes: raw, count: hostKey.hostkey_len)
            key.algorithm = Self.algorithm(hostKey.raw_type)
        }
        if hostKey.type.rawValue & GIT_CERT_SSH_SHA256.rawValue != 0 {
            key.sha256 = withUnsafeBytes(of: hostKey.hash_sha256) { Data($0) }
        }
        do {
            try access.checkHostKey(key)
            return 0
        } catch {
            self.error = error
            return GIT_EUSER.rawValue
        }
    }

    private static func algorithm(_ type: git_cert_ssh_raw_type_t) -> String? {
        switch type {
        case GIT_CERT_SSH_RAW_TYPE_RSA: return "ssh-rsa"
        case GIT_CERT_SSH_RAW_TYPE_DSS: return "ssh-dss"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return "ecdsa-sha2-nistp256"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return "ecdsa-sha2-nistp384"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return "ecdsa-sha2-nistp521"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return "ssh-ed25519"
        default: return nil
        }
    }

    /// Throws the callback's own error first, then libgit2's, with any secret in the URL hidden.
    /// False when the remote refused a push as not a fast-forward (it moved meanwhile).
    @discardableResult
    func finish(_ result: Int32, remote: String) throws -> Bool {
        if let error { throw error }
        do throws(GitError) {
            try check(result)
            return true
        } catch  where error.isNotFastForward {
            return false
        } catch {
            throw GitStoreError.remoteFailed(remote: remote, message: Self.redact(error.message))
        }
    }

    /// Removes `user:password@` from any URL in a message, so a token in a remote URL is never shown.
    static func redact(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "(://)[^/@\\s]+@") else { return text }
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1")
    }
}
