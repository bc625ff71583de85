import Foundation

@testable import OpsKit

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var current: Date

    init(_ start: String = "2026-11-22T17:58:02Z") { current = Timestamp.parse(start)! }

    var now: Date { lock.withLock { current } }
    func advance(minutes: Double) { lock.withLock { current = current.addingTimeInterval(minutes * 60) } }
    func set(_ text: String) { lock.withLock { current = Timestamp.parse(text)! } }
}

/// An ops repository with the example configuration, a test clock and seeded ids.
struct OpsFixture {
    let folder: TempFolder
    let clock = TestClock()
    let workspace: Workspace
    let alice = Author(handle: "alice", name: "Alice Martin", email: "alice@example.com")
    let bob = Author(handle: "bob", name: "Bob Okafor", email: "bob@example.com")
    let carol = Author(handle: "carol", name: "Carol Nguyen", email: "carol@example.com")

    init(seed: UInt64 = 42) throws {
        folder = try TempFolder()
        _ = try RepositorySetup.run(at: folder.path, example: true, author: "alice", environment: [:], currentDirectory: "/")
        let clock = self.clock
        workspace = try Workspace(root: folder.path, environment: [:], clock: { clock.now }, random: SeededGenerator(seed: seed))
    }

    var incidents: IncidentService { IncidentService(workspace) }

    func commitCount() throws -> Int { Int(try git(folder.path, "rev-list", "--count", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines))! }

    func open(_ title: String = "Checkout p99 latency above 1.2s", sev: String = "SEV2", service: String = "ops_copilot") throws -> Incident {
        try incidents.open(IncidentService.OpenRequest(title: title, severity: sev, service: service), author: alice)
    }

    func file(_ incident: Incident) throws -> String { try folder.read(incident.path) }

    func remove() { folder.remove() }
}
