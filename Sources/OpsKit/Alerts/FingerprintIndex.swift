import Foundation
import GitStore

/// Which incidents carry which alert fingerprints, as of one version of the incidents folder:
/// what an intake needs to find the incident of each alert without reading every incident.
///
/// `ops serve` keeps one for as long as it runs, so a delivery does not walk 10,000 incidents;
/// it is checked against the commit each delivery builds on before use (the incidents folder's
/// tree id), so a commit another process made is never missed: a different tree is walked
/// again, and only files whose blob changed are read (through the parse cache). It is used
/// only on the writer's queue, one delivery batch at a time.
final class FingerprintIndex: @unchecked Sendable {
    /// The incidents folder it reflects; nil before the first walk.
    private var tree: ObjectID??
    /// Each incident file's blob, as last read; a path written by this process since has none
    /// until the next walk reads its blob.
    private var blobs: [String: ObjectID] = [:]
    private var incidents: [String: (alerts: [String], opened: Date)] = [:]
    private var byFingerprint: [String: Set<String>] = [:]

    /// The incident files of the last walk: what the parse cache keeps.
    private(set) var files: [TreeFile] = []

    /// Brings the index to `snapshot`. Returns true when it walked the folder.
    @discardableResult
    func refresh(_ snapshot: Snapshot, cache: inout IncidentCache) throws -> Bool {
        let current = try snapshot.entryID(IncidentLocator.folder)
        if let tree, tree == current { return false }
        files = IncidentLocator.incidentFiles(try snapshot.files(under: IncidentLocator.folder))
        var seen = Set<String>()
        for file in files {
            seen.insert(file.path)
            if blobs[file.path] == file.blob { continue }
            blobs[file.path] = file.blob
            let incident: Incident
            if let cached = cache.incident(for: file) {
                incident = cached
            } else {
                guard let data = try snapshot.read(file.path),
                    let parsed = try? Incident(summaryOf: UTF8Text.decode(data, path: file.path), path: file.path)
                else {
                    forget(file.path)
                    continue
                }
                cache.store(parsed, for: file)
                incident = parsed
            }
            record(file.path, incident)
        }
        for path in Array(incidents.keys) where !seen.contains(path) {
            forget(path)
            blobs[path] = nil
        }
        tree = .some(current)
        return true
    }

    /// The newest incident carrying `fingerprint` (by opening time, then path), nil when none does.
    func newest(carrying fingerprint: String) -> String? {
        byFingerprint[fingerprint]?.max { a, b in
            let (x, y) = (incidents[a]?.opened ?? .distantPast, incidents[b]?.opened ?? .distantPast)
            return x == y ? a < b : x < y
        }
    }

    /// After a commit of this process lands: the incidents it wrote, and the folder it left.
    func landed(_ written: [String: Incident], tree: ObjectID?) {
        for (path, incident) in written {
            record(path, incident)
            blobs[path] = nil
        }
        self.tree = .some(tree)
    }

    private func record(_ path: String, _ incident: Incident) {
        forget(path)
        incidents[path] = (incident.alerts, incident.clock[.opened] ?? .distantPast)
        for fingerprint in incident.alerts { byFingerprint[fingerprint, default: []].insert(path) }
    }

    private func forget(_ path: String) {
        guard let old = incidents.removeValue(forKey: path) else { return }
        for fingerprint in old.alerts { byFingerprint[fingerprint]?.remove(path) }
    }
}
