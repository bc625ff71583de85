import Foundation
import Testing

@testable import OpsKit

/// ops sync over real https, as a user runs it (the built binary): libgit2 starts without CA
/// certificates (CGitStartup), and sync must load them before it connects, so the server's
/// certificate is checked against the bundle: trusted when SSL_CERT_FILE names its CA, refused
/// against the system bundle, which does not know this throwaway certificate.
@Suite struct SyncHTTPSTests {
    @Test func httpsChecksTheServerCertificateAgainstTheBundleLoadedBeforeConnecting() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (cert, key) = (folder.path + "/cert.pem", folder.path + "/key.pem")
        try run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert, "-days", "2",
        ])
        try run(["git", "init", "--bare", "-q", "-b", "main", folder.path + "/team/ops.git"])
        let token = "tls-token-0815"
        let script = Bundle.module.url(forResource: "Fixtures/sync/git-http-server", withExtension: "py")!.path
        let portFile = folder.path + "/port"
        let pid = try spawnDaemon(["python3", script, folder.path, "x-access-token", token, portFile, cert, key])
        defer { stopDaemon(pid) }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: portFile) { usleep(25_000) }
        let port = Int(try folder.read("port")) ?? 0
        try #require(port > 0, "the test HTTPS server did not start")

        let repo = folder.path + "/clone"
        _ = try RepositorySetup.run(at: repo, example: true, author: "alice", environment: [:], currentDirectory: "/")
        _ = try git(repo, "remote", "add", "origin", "https://localhost:\(port)/team/ops.git")
        try FileManager.default.createDirectory(atPath: folder.path + "/home", withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.path + "/home"
        environment["OPS_GIT_TOKEN"] = token
        environment["OPS_USER"] = "alice"
        environment["SSL_CERT_FILE"] = nil
        let ops = sourceRoot + "/.build/debug/ops"

        var trusting = environment
        trusting["SSL_CERT_FILE"] = cert
        let synced = try command([ops, "-C", repo, "sync"], environment: trusting)
        #expect(synced.status == 0, "\(synced.output)")
        #expect(try run(["git", "-C", folder.path + "/team/ops.git", "rev-parse", "main"]) == (try git(repo, "rev-parse", "HEAD")))

        let refused = try command([ops, "-C", repo, "sync"], environment: environment)
        #expect(refused.status == 3, "\(refused.output)")
        #expect(refused.output.lowercased().contains("certificate"), "\(refused.output)")
        #expect(!refused.output.contains(token))
    }
}
