import Foundation
internal import GitStore

/// Signs a commit as `git commit -S` does, with the user's own Git signing settings:
/// `gpg.format` (`openpgp`, the default, or `ssh`), `user.signingkey`, and the program
/// (`gpg.ssh.program`, `gpg.program`). The key never leaves the program that holds it.
struct CommitSigner {
    enum Format: String { case ssh, openpgp }

    var format: Format
    var program: String
    /// SSH: a key file, or a public key to find in ssh-agent. OpenPGP: the key id or user id.
    var key: String
    var environment: [String: String]

    /// The signing settings of the repository's Git configuration, as Git reads them for
    /// `commit -S`; `committer` is the OpenPGP key when `user.signingkey` is unset.
    static func configured(in workspace: Workspace, committer: Author) throws -> CommitSigner {
        func value(_ key: String) throws -> String? {
            try workspace.repository.configValue(key).flatMap { $0.isEmpty ? nil : $0 }
        }
        let setUp = "Set up Git signing (README, Signed approvals): git config gpg.format ssh and git config user.signingkey ~/.ssh/id_ed25519.pub"
        let format = try value("gpg.format")?.lowercased() ?? "openpgp"
        switch format {
        case "ssh":
            guard let key = try value("user.signingkey") else {
                throw OpsError.input("Git signs with SSH here (gpg.format ssh) but user.signingkey is not set. \(setUp)")
            }
            return CommitSigner(
                format: .ssh, program: try value("gpg.ssh.program") ?? "ssh-keygen", key: key, environment: workspace.environment)
        case "openpgp":
            let key = try value("user.signingkey") ?? "\(committer.name) <\(committer.email)>"
            let program = try value("gpg.openpgp.program") ?? value("gpg.program") ?? "gpg"
            return CommitSigner(format: .openpgp, program: program, key: key, environment: workspace.environment)
        default:
            throw OpsError.input("gpg.format is \(format); ops signs with ssh or openpgp. \(setUp)")
        }
    }

    /// The armored signature of `payload` (a commit object's bytes).
    func sign(_ payload: Data) throws -> String {
        let scratch = try ExternalProgram.Scratch()
        switch format {
        case .ssh:
            var arguments = [program, "-Y", "sign", "-n", "git"]
            // A literal public key (`key::ssh-ed25519 AAAA…`, or `ssh-…` as older Git wrote it)
            // names a key held by ssh-agent; anything else is a key file.
            let literal = key.hasPrefix("key::") ? String(key.dropFirst(5)) : key.hasPrefix("ssh-") ? key : nil
            if let literal {
                arguments += ["-f", try scratch.write("key.pub", Data((literal + "\n").utf8)), "-U"]
            } else {
                arguments += ["-f", expandHome(key)]
            }
            let buffer = try scratch.write("commit", payload)
            let result = try ExternalProgram.run(
                arguments + [buffer], environment: environment, scratch: scratch, missing: "Install OpenSSH's client (apt-get install openssh-client).")
            guard result.status == 0, let signature = FileManager.default.contents(atPath: buffer + ".sig") else {
                throw OpsError.input(
                    "\(program) could not sign with \(key): \(result.lastError.isEmpty ? "exit \(result.status)" : result.lastError). Check user.signingkey")
            }
            return String(decoding: signature, as: UTF8.self)
        case .openpgp:
            let result = try ExternalProgram.run(
                [program, "--status-fd=2", "-bsau", key], input: payload, environment: environment, scratch: scratch,
                missing: "Install GnuPG, or sign with SSH (git config gpg.format ssh).")
            guard result.status == 0, result.errors.contains("[GNUPG:] SIG_CREATED ") else {
                let said = result.errors.split(whereSeparator: \.isNewline).last { !$0.hasPrefix("[GNUPG:]") }.map(String.init)
                throw OpsError.input("\(program) could not sign as \(key): \(said ?? "exit \(result.status)"). Check user.signingkey")
            }
            return result.outputText
        }
    }

    private func expandHome(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
        return home + path.dropFirst(1)
    }
}
