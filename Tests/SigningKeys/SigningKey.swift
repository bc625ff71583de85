import Foundation

/// A real SSH signing key for the tests, made by `ssh-keygen`: approvals and signed commits are
/// signed and checked by the programs people use, never faked.
public struct SigningKey: Sendable {
    /// The private key file.
    public let path: String
    /// `ssh-ed25519 AAAA… comment`.
    public let publicKey: String
    /// Its name in an `allowed_signers` file.
    public let email: String

    /// Makes a key without a passphrase as `folder/name`.
    public init(in folder: String, name: String, email: String) throws {
        path = folder + "/" + name
        self.email = email
        try Self.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", path])
        publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This key's line in an `allowed_signers` file: allowed to sign Git commits.
    public var allowedSignersLine: String { "\(email) namespaces=\"git\" \(publicKey)" }

    /// Makes Git in `repo` sign with this key as `name <email>` (what `ops release approve` reads),
    /// and check signatures against `allowedSigners` (what `git log --show-signature` reads).
    public func use(in repo: String, name: String, allowedSigners: String = "policies/allowed_signers") throws {
        for (key, value) in [
            ("gpg.format", "ssh"), ("user.signingkey", path), ("user.name", name), ("user.email", email),
            ("gpg.ssh.allowedSignersFile", allowedSigners),
        ] {
            try Self.run(["git", "-C", repo, "config", key, value])
        }
    }

    /// Writes the approvers' `allowed_signers` file into `repo` and commits it, as a team would.
    public static func commitApprovers(_ keys: [SigningKey], in repo: String, path: String = "policies/allowed_signers") throws {
        let text = keys.map(\.allowedSignersLine).joined(separator: "\n") + "\n"
        try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        try run(["git", "-C", repo, "add", path])
        try run(["git", "-C", repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "--no-gpg-sign", "-m", "Approvers' keys"])
    }

    /// Runs a program; its standard output, or an error with what it said.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: process.terminationStatus, said: String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var said: String
        public var description: String { "\(command): exit \(status): \(said)" }
    }
}
