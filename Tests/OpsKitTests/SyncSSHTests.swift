import Foundation
import GitStore
import Testing

@testable import OpsKit

/// A real OpenSSH server on a loopback port, with a throwaway host key, client key and
/// configuration in a temp folder, serving a bare repository. Needs Debian's openssh-server.
private final class SSHServer {
    let folder: TempFolder
    let port: Int
    /// sshd's process id. It is started with posix_spawn, not Foundation's Process: Foundation's
    /// child reaper blocks in wait4 on a long-running child and stalls every other Process call.
    private var pid: pid_t = 0
    let bare: String

    init() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"),
            "/usr/sbin/sshd is missing: install openssh-server (make deps does)")
        folder = try TempFolder()
        let dir = folder.path
        for key in ["host_key", "client_key", "other_host_key"] {
            try run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", "\(dir)/\(key)"])
        }
        try FileManager.default.copyItem(atPath: "\(dir)/client_key.pub", toPath: "\(dir)/authorized_keys")
        bare = "\(dir)/remote.git"
        try run(["git", "init", "--bare", "-q", "-b", "main", bare])
        port = try Self.freePort()
        let user = NSUserName()
        try folder.write(
            "sshd_config",
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir)/host_key
            PidFile \(dir)/sshd.pid
            AuthorizedKeysFile \(dir)/authorized_keys
            AllowUsers \(user)
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no

            """)
        // sshd refuses to start without its privilege-separation folder.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        pid = try spawnDaemon(["/usr/sbin/sshd", "-D", "-e", "-f", "\(dir)/sshd_config"])
        try waitUntilListening()
    }

    var url: String { "ssh://\(NSUserName())@127.0.0.1:\(port)\(bare)" }

    func hostKeyLine(_ name: String = "host_key") throws -> String {
        let publicKey = try folder.read("\(name).pub").split(separator: " ")
        return "[127.0.0.1]:\(port) \(publicKey[0]) \(publicKey[1])\n"
    }

    func fingerprint() throws -> String {
        // `256 SHA256:... host_key (ED25519)`
        String(try run(["ssh-keygen", "-l", "-f", folder.path + "/host_key.pub"]).split(separator: " ")[1])
    }

    func stop() {
        stopDaemon(pid)
        pid = 0
        folder.remove()
    }

    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw OpsError.repository("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private func waitUntilListening() throws {
        for _ in 0..<100 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(socket)
            if connected { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw OpsError.repository("sshd exited at start (status \(status)); run /usr/sbin/sshd -D -e -f \(folder.path)/sshd_config to see why")
            }
            usleep(50_000)
        }
        throw OpsError.repository("sshd did not listen on port \(port)")
    }
}

@Suite(.serialized, .tags(.integration)) struct SyncSSHTests {
    /// An ops clone whose origin is the ssh server, with its own HOME (known_hosts) and key.
    private func clone(_ server: SSHServer, knownHosts: String) throws -> (Workspace, TempFolder) {
        let folder = try TempFolder()
        _ = try RepositorySetup.run(at: folder.path, example: true, author: "alice", environment: [:], currentDirectory: "/")
        _ = try git(folder.path, "remote", "add", "origin", server.url)
        try folder.write("home/.ssh/known_hosts", knownHosts)
        let environment = ["HOME": folder.path + "/home", "OPS_SSH_KEY": server.folder.path + "/client_key"]
        return (try Workspace(root: folder.path, environment: environment, clock: fixedClock), folder)
    }

    private let alice = Author(handle: "alice", name: "Alice Martin", email: "alice@example.com")

    @Test func syncOverSSHWorksWithAKnownHostKey() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let (workspace, folder) = try clone(
            server,
            knownHosts: "# other hosts\nexample.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" + server.hostKeyLine())
        defer { folder.remove() }
        let report = try SyncService(workspace).sync(author: alice)
        #expect(report.pushed)
        let remoteHead = try run(["git", "-C", server.bare, "rev-parse", "main"])
        #expect(remoteHead.hasPrefix(try git(folder.path, "rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)))

        // A hashed known_hosts (HashKnownHosts yes) works the same.
        _ = try run(["ssh-keygen", "-q", "-H", "-f", folder.path + "/home/.ssh/known_hosts"])
        #expect(try !folder.read("home/.ssh/known_hosts").contains("127.0.0.1"))
        _ = try IncidentService(workspace).open(.init(title: "Over ssh", severity: "SEV3", service: "ops_copilot"), author: alice)
        #expect(try SyncService(workspace).sync(author: alice).pushed)
    }

    @Test func anUnknownOrChangedHostIsRefusedWithItsFingerprint() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let fingerprint = try server.fingerprint()
        #expect(fingerprint.hasPrefix("SHA256:"))

        let (unknown, unknownFolder) = try clone(server, knownHosts: "")
        defer { unknownFolder.remove() }
        #expect {
            _ = try SyncService(unknown).sync(author: alice)
        } throws: { error in
            let message = (error as? OpsError)?.message ?? "\(error)"
            return message.contains("refusing ssh host [127.0.0.1]:\(server.port)") && message.contains(fingerprint)
                && message.contains("ssh-keyscan -p \(server.port) 127.0.0.1") && (error as? OpsError)?.exitCode == 3
        }

        let (changed, changedFolder) = try clone(server, knownHosts: try server.hostKeyLine("other_host_key"))
        defer { changedFolder.remove() }
        #expect {
            _ = try SyncService(changed).sync(author: alice)
        } throws: { error in
            let message = (error as? OpsError)?.message ?? "\(error)"
            return message.contains("does not match") && message.contains(fingerprint) && message.contains("ssh-keygen -R")
        }
        // A key the server does not accept fails after a bounded number of tries, not in a loop.
        let (refused, refusedFolder) = try clone(server, knownHosts: try server.hostKeyLine())
        defer { refusedFolder.remove() }
        let wrongKey = try Workspace(
            root: refused.root, environment: ["HOME": refusedFolder.path + "/home", "OPS_SSH_KEY": server.folder.path + "/other_host_key"],
            clock: fixedClock)
        #expect {
            _ = try SyncService(wrongKey).sync(author: alice)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("cannot reach origin") ?? false
        }
        // Nothing reached the server.
        #expect(throws: OpsError.self) { try run(["git", "-C", server.bare, "rev-parse", "--verify", "-q", "main"]) }
    }
}

@Suite struct KnownHostsTests {
    private let blob = Data((0..<51).map { UInt8($0) })
    private var key: HostKey { HostKey(host: "git.example.com", algorithm: "ssh-ed25519", blob: blob, sha256: nil) }

    @Test func plainPatternsPortsAndNegations() {
        let line = "ssh-ed25519 " + blob.base64EncodedString()
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "git.example.com \(line)") == .trusted)
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "other,*.example.com \(line)") == .trusted)
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "*.example.com,!git.example.com \(line)") == .unknown)
        #expect(KnownHosts.verdict(for: key, port: 2222, knownHosts: "git.example.com \(line)") == .unknown)
        #expect(KnownHosts.verdict(for: key, port: 2222, knownHosts: "[git.example.com]:2222 \(line)") == .trusted)
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "git.example.com ssh-ed25519 AAAA") == .changed)
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "git.example.com ssh-rsa AAAA") == .unknown)
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: "@revoked git.example.com \(line)\ngit.example.com \(line)") == .changed)
    }

    @Test func hashedNamesAreMatchedWithTheirSalt() throws {
        // `ssh-keygen -H` form: |1|base64(salt)|base64(HMAC-SHA1(salt, name)); Python computes the oracle.
        let salt = Data(repeating: 7, count: 20)
        let script =
            "import base64,hashlib,hmac;print(base64.b64encode(hmac.new(base64.b64decode('\(salt.base64EncodedString())'),b'git.example.com',hashlib.sha1).digest()).decode())"
        let hash = try run(["python3", "-c", script]).trimmingCharacters(in: .whitespacesAndNewlines)
        let entry = "|1|\(salt.base64EncodedString())|\(hash) ssh-ed25519 \(blob.base64EncodedString())"
        #expect(KnownHosts.verdict(for: key, port: 22, knownHosts: entry) == .trusted)
        var other = key
        other.host = "evil.example.com"
        #expect(KnownHosts.verdict(for: other, port: 22, knownHosts: entry) == .unknown)
    }

    @Test func fingerprintsReadLikeSSHKeygen() {
        let fingerprint = KnownHosts.fingerprint(key)
        #expect(fingerprint.hasPrefix("SHA256:") && !fingerprint.hasSuffix("=") && fingerprint.count == 50)
    }
}
