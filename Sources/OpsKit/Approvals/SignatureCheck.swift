import Foundation
internal import GitStore

/// The approvers' public keys, as committed: the SSH keys of `allowed_signers` files (the format
/// of `ssh-keygen -Y`, and of Git's `gpg.ssh.allowedSignersFile`) and the OpenPGP keys of
/// armored exports (`gpg --armor --export`), when a policy names one.
struct ApproverKeys {
    /// The files named, whether or not they are committed: what a message points people to.
    var paths: [String]
    /// The files that are committed.
    var present: [String] = []
    var allowedSigners = ""
    var openPGP = ""

    /// `policies/allowed_signers`, or `policies/allowed_signers or policies/approvers.asc`.
    var described: String { paths.joined(separator: " or ") }

    /// Reads the files at `commit` (HEAD when nil); a file that is not there adds no key.
    static func read(allowedSigners: [String], openPGP: [String], at commit: ObjectID?, from repository: GitRepository) throws -> ApproverKeys {
        var keys = ApproverKeys(paths: allowedSigners + openPGP)
        for path in allowedSigners + openPGP {
            guard let data = try repository.readFile(path, at: commit) else { continue }
            keys.present.append(path)
            let text = try UTF8Text.decode(data, path: path) + "\n"
            if openPGP.contains(path) { keys.openPGP += text } else { keys.allowedSigners += text }
        }
        return keys
    }

    /// The keys a policy trusts for its approvals.
    static func of(_ policy: ErrorBudgetPolicy, at commit: ObjectID?, from repository: GitRepository) throws -> ApproverKeys {
        let exceptions = policy.freezeExceptions
        return try read(
            allowedSigners: [exceptions?.signersPath ?? ErrorBudgetPolicy.defaultSignersPath],
            openPGP: exceptions?.openPGPKeys.map { [$0] } ?? [], at: commit, from: repository)
    }
}

/// What a commit's signature proves against the approvers' keys. An SSH signature is checked in
/// the three steps Git takes for `git verify-commit`: it matches the commit, its key is in
/// `allowed_signers`, and the file lets that key sign Git commits at the commit's time. An
/// OpenPGP signature is checked by `gpg` against the armored keys alone, in a keyring of its own.
public enum SignatureCheck: Equatable, Sendable {
    /// Signed by `principal` (the key's name: `allowed_signers`' or the OpenPGP key's email)
    /// with `key` (`ED25519 key SHA256:…`, `OpenPGP key 7AB0…`).
    case good(principal: String, key: String)
    /// The signature matches the commit, but its key is not an approver's (or not for Git, or not then).
    case unknownKey(key: String)
    /// The signature does not match the commit: the commit was changed after it was signed.
    case bad
    /// An SSH signature made for another use than Git commits (its namespace is not `git`).
    case otherNamespace
    case unsigned
    /// A kind of signature no committed file has keys for (OpenPGP without an armored export, X.509).
    case notChecked(kind: String)

    var isGood: Bool {
        if case .good = self { return true }
        return false
    }

    /// Checks `signature` against `keys` at `time` (the commit's), with `ssh-keygen` or `gpg`.
    static func check(_ signature: CommitSignature?, keys: ApproverKeys, at time: Date, environment: [String: String]) throws -> SignatureCheck {
        guard let signature else { return .unsigned }
        let text = String(decoding: signature.signature, as: UTF8.self)
        if text.hasPrefix("-----BEGIN PGP SIGNATURE-----") {
            return keys.openPGP.isEmpty ? .notChecked(kind: "OpenPGP") : try openPGP(signature, keys: keys.openPGP, environment: environment)
        }
        guard text.hasPrefix("-----BEGIN SSH SIGNATURE-----") else { return .notChecked(kind: "X.509") }
        return try ssh(signature, allowedSigners: keys.allowedSigners, at: time, environment: environment)
    }

    private static func ssh(_ signature: CommitSignature, allowedSigners: String, at time: Date, environment: [String: String]) throws
        -> SignatureCheck
    {
        let scratch = try ExternalProgram.Scratch()
        let signatureFile = try scratch.write("signature", signature.signature)
        let signersFile = try scratch.write("allowed_signers", Data(allowedSigners.utf8))
        let when = "-Overify-time=" + Self.verifyTime(time)
        func run(_ arguments: [String], input: Data = Data()) throws -> ExternalProgram.Result {
            try ExternalProgram.run(
                ["ssh-keygen"] + arguments, input: input, environment: environment, scratch: scratch,
                missing: "Install OpenSSH's client (apt-get install openssh-client).")
        }

        let matches = try run(["-Y", "check-novalidate", "-n", "git", "-s", signatureFile], input: signature.signedData)
        guard matches.status == 0 else { return matches.errors.contains("namespace does not match") ? .otherNamespace : .bad }
        // "Good "git" signature with ED25519 key SHA256:…"
        let said = matches.outputText + matches.errors
        let key = said.range(of: " with ").map { String(said[$0.upperBound...].prefix { !$0.isNewline }) } ?? "an unnamed key"

        let found = try run(["-Y", "find-principals", "-s", signatureFile, "-f", signersFile, when])
        let principals = found.status == 0 ? found.outputText.split(whereSeparator: \.isNewline).map(String.init) : []
        for principal in principals {
            let verified = try run(
                ["-Y", "verify", "-f", signersFile, "-I", principal, "-n", "git", "-s", signatureFile, when], input: signature.signedData)
            if verified.status == 0 { return .good(principal: principal, key: key) }
        }
        return .unknownKey(key: key)
    }

    /// `gpg --verify` in a keyring that holds the approvers' keys and nothing else, read from its
    /// status lines (`GOODSIG`, `VALIDSIG`, `BADSIG`, `ERRSIG`), as Git reads them.
    private static func openPGP(_ signature: CommitSignature, keys: String, environment: [String: String]) throws -> SignatureCheck {
        let scratch = try ExternalProgram.Scratch()
        let home = scratch.path + "/gnupg"
        guard mkdir(home, 0o700) == 0 else { throw OpsError.repository("cannot make \(home): \(String(cString: strerror(errno)))") }
        let signatureFile = try scratch.write("signature.asc", signature.signature)
        let keysFile = try scratch.write("approvers.asc", Data(keys.utf8))
        func run(_ arguments: [String], input: Data = Data()) throws -> ExternalProgram.Result {
            try ExternalProgram.run(
                ["gpg", "--homedir", home, "--batch", "--no-tty", "--status-fd", "1"] + arguments, input: input, environment: environment,
                scratch: scratch, missing: "Install GnuPG (apt-get install gnupg) to check OpenPGP approvals.")
        }
        _ = try run(["--import", keysFile])
        let result = try run(["--verify", signatureFile, "-"], input: signature.signedData)
        var principal: String?, fingerprint: String?, keyID: String?
        for line in result.outputText.split(whereSeparator: \.isNewline) where line.hasPrefix("[GNUPG:] ") {
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count >= 3 else { continue }
            switch fields[1] {
            case "BADSIG": return .bad
            case "GOODSIG":
                let uid = fields.count > 3 ? fields[3] : fields[2]
                principal =
                    uid.firstIndex(of: "<").flatMap { start in
                        uid[uid.index(after: start)...].firstIndex(of: ">").map { String(uid[uid.index(after: start)..<$0]) }
                    } ?? uid
            case "VALIDSIG": fingerprint = fields[2]
            case "ERRSIG", "EXPKEYSIG", "REVKEYSIG": keyID = fields[2]
            default: continue
            }
        }
        if result.status == 0, let principal, let fingerprint { return .good(principal: principal, key: "OpenPGP key \(fingerprint)") }
        return .unknownKey(key: "OpenPGP key \(keyID ?? fingerprint ?? "(unnamed)")")
    }

    /// `YYYYMMDDHHMMSSZ`: the moment a key's `valid-after` and `valid-before` are judged at.
    static func verifyTime(_ date: Date) -> String {
        Timestamp.format(date).filter(\.isNumber) + "Z"
    }

    /// Why the signature of `commit` does not make it an approver's, for a person; nil when it does.
    func problem(commit: String, keys: String) -> String? {
        switch self {
        case .good: return nil
        case .unsigned: return "its last change, commit \(commit), is not signed"
        case .bad: return "its last change, commit \(commit), does not match its signature: it was changed after it was signed"
        case .otherNamespace: return "its last change, commit \(commit), carries a signature made for another use than Git commits (namespace not git)"
        case .unknownKey(let key): return "its last change, commit \(commit), is signed with \(key), which is not an approver's key in \(keys)"
        case .notChecked(let kind):
            return "its last change, commit \(commit), has an \(kind) signature, and no approver's key of that kind is committed (\(keys))"
        }
    }
}
