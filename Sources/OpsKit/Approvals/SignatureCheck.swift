public import Foundation
internal import GitStore

/// What a commit's signature proves, checked against an `allowed_signers` file (the format of
/// `ssh-keygen -Y`, and of Git's `gpg.ssh.allowedSignersFile`) in the three steps Git takes for
/// `git verify-commit`: the signature matches the commit, its key is in the file, and the
/// file lets that key sign Git commits at the commit's time.
public enum SignatureCheck: Equatable, Sendable {
    /// Signed by `principal` (the file's name for the key) with `key` (`ED25519 key SHA256:…`).
    case good(principal: String, key: String)
    /// The signature matches the commit, but its key is not in the file (or not for Git, or not then).
    case unknownKey(key: String)
    /// The signature does not match the commit: the commit was changed after it was signed.
    case bad
    case unsigned
    /// An OpenPGP or X.509 signature: `allowed_signers` holds SSH keys, so it is not checked.
    case notChecked(kind: String)

    var isGood: Bool {
        if case .good = self { return true }
        return false
    }

    /// Checks `signature` against the keys in `allowedSigners` (the file's text), at `time`
    /// (the commit's), with `ssh-keygen`.
    static func check(_ signature: CommitSignature?, allowedSigners: String, at time: Date, environment: [String: String]) throws
        -> SignatureCheck
    {
        guard let signature else { return .unsigned }
        let text = String(decoding: signature.signature, as: UTF8.self)
        if text.hasPrefix("-----BEGIN PGP SIGNATURE-----") { return .notChecked(kind: "OpenPGP") }
        guard text.hasPrefix("-----BEGIN SSH SIGNATURE-----") else { return .notChecked(kind: "X.509") }

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
        guard matches.status == 0 else { return .bad }
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

    /// `YYYYMMDDHHMMSSZ`: the moment a key's `valid-after` and `valid-before` are judged at.
    static func verifyTime(_ date: Date) -> String {
        Timestamp.format(date).filter(\.isNumber) + "Z"
    }

    /// Why the signature of `commit` does not make it an approver's, for a person; nil when it does.
    func problem(commit: String, signersPath: String) -> String? {
        switch self {
        case .good: return nil
        case .unsigned: return "its last change, commit \(commit), is not signed"
        case .bad: return "its last change, commit \(commit), does not match its signature: it was changed after it was signed"
        case .unknownKey(let key): return "its last change, commit \(commit), is signed with \(key), which is not an approver's key in \(signersPath)"
        case .notChecked(let kind):
            return "its last change, commit \(commit), has an \(kind) signature; approvers sign with SSH keys listed in \(signersPath)"
        }
    }
}
