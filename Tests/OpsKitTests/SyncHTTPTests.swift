import Foundation
import GitStore
import Testing

@testable import OpsKit

/// Git's smart HTTP (`git http-backend`) behind basic auth, on a loopback port, serving a bare
/// repository. Plain http: the credentials path through libgit2 is the one https takes.
private final class HTTPServer {
    let folder: TempFolder
    let bare: String
    let token = "s3cret-token-4711"
    private var pid: pid_t = 0
    let port: Int

    init() throws {
        folder = try TempFolder()
        bare = folder.path + "/team/ops.git"
        try run(["git", "init", "--bare", "-q", "-b", "main", bare])
        let script = Bundle.module.url(forResource: "Fixtures/sync/git-http-server", withExtension: "py")!.path
        let portFile = folder.path + "/port"
        pid = try spawnDaemon(["python3", script, folder.path, "x-access-token", token, portFile])
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: portFile) { usleep(25_000) }
        port = Int(try folder.read("port")) ?? 0
        try #require(port > 0, "the test HTTP server did not start")
    }

    var url: String { "http://127.0.0.1:\(port)/team/ops.git" }

    func stop() {
        stopDaemon(pid)
        folder.remove()
    }
}

@Suite struct SyncHTTPTests {
    private let alice = Author(handle: "alice", name: "Alice Martin", email: "alice@example.com")

    private func clone(_ server: HTTPServer, environment: [String: String]) throws -> (Workspace, TempFolder) {
        let folder = try TempFolder()
        _ = try RepositorySetup.run(at: folder.path, example: true, author: "alice", environment: [:], currentDirectory: "/")
        _ = try git(folder.path, "remote", "add", "origin", server.url)
        var env = environment
        env["HOME"] = folder.path + "/home"  // no helpers from the machine running the tests
        try FileManager.default.createDirectory(atPath: folder.path + "/home", withIntermediateDirectories: true)
        return (try Workspace(root: folder.path, environment: env, clock: fixedClock), folder)
    }

    @Test func aTokenFromTheEnvironmentIsUsedAndNeverWritten() throws {
        let server = try HTTPServer()
        defer { server.stop() }
        let (workspace, folder) = try clone(server, environment: ["OPS_GIT_TOKEN": server.token])
        defer { folder.remove() }
        #expect(try SyncService(workspace).sync(author: alice).pushed)
        #expect(try run(["git", "-C", server.bare, "rev-parse", "main"]).hasPrefix(try git(folder.path, "rev-parse", "HEAD").prefix(40)))
        let grep = try? run(["grep", "-rl", server.token, folder.path + "/.git", folder.path + "/home"])
        #expect(grep == nil)  // grep found nothing: the token is in no file
        #expect(try SyncService(workspace).status().url == server.url)
    }

    @Test func gitCredentialHelpersAnswerWhenThereIsNoToken() throws {
        let server = try HTTPServer()
        defer { server.stop() }
        let (workspace, folder) = try clone(server, environment: [:])
        defer { folder.remove() }
        _ = try git(folder.path, "config", "credential.helper", "!f() { echo username=x-access-token; echo password=\(server.token); }; f")
        #expect(try SyncService(workspace).sync(author: alice).pushed)
    }

    @Test func aWrongOrMissingTokenFailsInOneLineWithoutShowingIt() throws {
        let server = try HTTPServer()
        defer { server.stop() }
        for environment in [["OPS_GIT_TOKEN": "wrong-token-0815"], [:]] {
            let (workspace, folder) = try clone(server, environment: environment)
            defer { folder.remove() }
            #expect {
                _ = try SyncService(workspace).sync(author: alice)
            } throws: { error in
                guard let error = error as? OpsError else { return false }
                return error.exitCode == 3 && error.message.hasPrefix("cannot reach origin") && !error.message.contains("wrong-token")
                    && !error.message.contains("\n")
            }
        }
    }

    @Test func aServerThatRefusesThePushStopsWithItsReasonInsteadOfRetrying() throws {
        let server = try HTTPServer()
        defer { server.stop() }
        // libgit2 writes a local path remote itself and runs no hooks; git-receive-pack behind http does.
        let hook = server.bare + "/hooks/update"
        try Data("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: hook))
        chmod(hook, 0o755)
        let (workspace, folder) = try clone(server, environment: ["OPS_GIT_TOKEN": server.token])
        defer { folder.remove() }
        #expect {
            _ = try SyncService(workspace).sync(author: alice)
        } throws: { error in
            guard let error = error as? OpsError else { return false }
            return error.exitCode == 3 && error.message.hasPrefix("origin refused the push of main: hook declined")
        }
    }

    @Test func endpointsAreReadFromTheirURLs() {
        let ssh = RemoteEndpoint("git@github.com:team/ops.git")
        #expect(ssh.transport == .ssh && ssh.host == "github.com" && ssh.port == 22 && ssh.user == "git")
        let sshPort = RemoteEndpoint("ssh://git@example.com:2222/srv/ops.git")
        #expect(sshPort.transport == .ssh && sshPort.port == 2222)
        let https = RemoteEndpoint("https://bot:tok@example.com/team/ops.git")
        #expect(https.transport == .https && https.redacted == "https://example.com/team/ops.git")
        #expect(RemoteEndpoint("/srv/ops.git").transport == .local)
        #expect(RemoteEndpoint("file:///srv/ops.git").transport == .local)
    }
}
