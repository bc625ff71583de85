import Foundation
import GitStore
import Synchronization

/// Where an incident lives: its id and the path of its incident.md.
public struct IncidentRef: Sendable, Equatable {
    public var id: String
    public var path: String
}

/// Finds incidents in a tree and resolves what a person typed to one of them.
enum IncidentLocator {
    static let folder = DocumentLocator.incidents.folder

    /// `incidents/YYYY/MM/<ID>/incident.md` files, by id.
    static func refs(in files: [TreeFile]) -> [IncidentRef] {
        files.compactMap { file in id(of: file).map { IncidentRef(id: String($0), path: file.path) } }
    }

    /// The incident files among `files` (`refs`), in their order, without making their ids.
    static func incidentFiles(_ files: [TreeFile]) -> [TreeFile] { files.filter { id(of: $0) != nil } }

    /// The id of an `incidents/YYYY/MM/<ID>/incident.md` file; nil for any other file.
    private static func id(of file: TreeFile) -> Substring? {
        let parts = file.path.split(separator: "/")
        guard parts.count == 5, parts[4] == "incident.md", DocumentID(String(parts[3]), kind: "INC") != nil else { return nil }
        return parts[3]
    }

    /// The path of a new incident: the UTC year and month it was opened keep folders small.
    static func path(for id: DocumentID) -> String {
        "\(folder)/\(id.date.prefix(4))/\(id.date.dropFirst(4).prefix(2))/\(id)/incident.md"
    }

    /// The one among `refs` that `input` names (`DocumentLocator`); an ambiguity lists titles
    /// when `titles` knows them.
    static func resolve(_ input: String, among refs: [IncidentRef], titles: (IncidentRef) -> String? = { _ in nil }) throws -> IncidentRef {
        try DocumentLocator.incidents.resolve(input, among: refs, titles: titles)
    }

    /// The committed incident `input` names. A full id names its path, so only a short id or a
    /// typo walks the incidents folder.
    static func locate(_ input: String, in workspace: Workspace) throws -> IncidentRef {
        if let id = DocumentID(input.trimmingCharacters(in: .whitespaces), kind: "INC") {
            let path = path(for: id)
            if try workspace.committedEntryID(path) != nil { return IncidentRef(id: id.description, path: path) }
        }
        return try resolve(input, among: refs(in: try workspace.committedFiles(under: folder))) { ref in
            (try? workspace.committedText(ref.path)).flatMap { try? Incident(MarkdownDocument($0, path: ref.path)).title }
        }
    }
}

extension IncidentRef: LocatableDocument {
    /// Incidents are folders named by the id alone.
    var slug: String { "" }
}

/// Every committed incident, parsed. Files that do not read are reported, not fatal.
public struct IncidentCatalog: Sendable {
    public var incidents: [Incident]
    /// Incident files that could not be read, with why.
    public var problems: [Problem]
    /// The `incidents/` tree id they were read from; nil when there is none.
    var tree: String? = nil

    /// Reads every incident at HEAD (those `keep` wants, when given), by path. Without timelines,
    /// unchanged files come from the parse cache, and when the whole `incidents/` tree is the one
    /// cached, no tree is walked at all and only the kept incidents are held in memory.
    public static func load(_ workspace: Workspace, timelines: Bool = false, where keep: ((Incident) -> Bool)? = nil) throws -> IncidentCatalog {
        let treeID = try workspace.committedEntryID(IncidentLocator.folder)
        if !timelines, let treeID,
            let incidents = IncidentCache.incidents(gitDirectory: workspace.gitDirectory, tree: treeID.hex, where: keep ?? { _ in true })
        {
            return IncidentCatalog(incidents: incidents.sorted { $0.path < $1.path }, problems: [], tree: treeID.hex)
        }
        var cache = timelines ? nil : IncidentCache(gitDirectory: workspace.gitDirectory)
        let wanted = IncidentLocator.incidentFiles(try workspace.committedFiles(under: IncidentLocator.folder))
        // Streams: only the incidents `keep` wants are held, the cache keeps encoded lines, and
        // files not in the cache are read a batch at a time.
        var incidents: [Incident] = []
        if keep == nil { incidents.reserveCapacity(wanted.count) }
        var problems: [Problem] = []
        func take(_ incident: Incident) {
            if keep?(incident) ?? true { incidents.append(incident) }
        }
        let reader = IncidentReader(workspace, timelines: timelines)
        var pending: [TreeFile] = []
        func readPending() throws {
            for (file, result) in zip(pending, try reader.read(pending)) {
                switch result {
                case .success(let incident):
                    cache?.store(incident, for: file)
                    take(incident)
                case .failure(let error):
                    problems.append(Problem(error))
                }
            }
            pending.removeAll(keepingCapacity: true)
        }
        for file in wanted {
            if let cached = cache?.incident(for: file) {
                take(cached)
            } else {
                pending.append(file)
                if pending.count == IncidentReader.batch { try readPending() }
            }
        }
        if !pending.isEmpty { try readPending() }
        // The tree is recorded only when every file in it parsed, so problems are reported every time.
        cache?.save(keeping: wanted, tree: problems.isEmpty ? treeID?.hex : nil)
        // By path, as from the cache: files not in the cache were read after the others.
        incidents.sort { $0.path < $1.path }
        return IncidentCatalog(incidents: incidents, problems: problems, tree: treeID?.hex)
    }
}

extension IncidentCatalog {
    /// `incidents` (as the parse cache gives them, without timelines) read again whole, in the
    /// order given: the blobs are found on this thread, read and parsed by `IncidentReader` (a
    /// weekly pack keeps every incident still open: thousands at 100k incidents).
    static func whole(_ incidents: [Incident], in workspace: Workspace) throws -> [Incident] {
        let files = try incidents.map { incident in
            guard let blob = try workspace.committedEntryID(incident.path) else {
                throw OpsError.repository("\(incident.path) is no longer committed; run the command again")
            }
            return TreeFile(path: incident.path, blob: blob)
        }
        let reader = IncidentReader(workspace, timelines: true)
        var result: [Incident] = []
        result.reserveCapacity(files.count)
        for start in stride(from: 0, to: files.count, by: IncidentReader.batch) {
            for read in try reader.read(Array(files[start..<min(start + IncidentReader.batch, files.count)])) { result.append(try read.get()) }
        }
        return result
    }
}

/// Reads and parses incident files, on two threads for a big job (a cold cache): the second
/// thread has a repository handle of its own, since a libgit2 handle is not for two threads at
/// once, opened the first time a job is big enough to pay for it. Reading the blobs (zlib,
/// deltas) and parsing them take about as long as each other, so two threads take about half
/// the time on a machine with two cores.
final class IncidentReader {
    /// Files read per call: what a caller holds at most, parsed, beside what it keeps.
    static let batch = 4096
    /// A call reading this many files opens the second handle; once open, any call of 64 or
    /// more shares its files with it.
    static let bigJob = 1000
    let timelines: Bool
    private let workspace: Workspace
    private var second: GitRepository?

    init(_ workspace: Workspace, timelines: Bool) {
        self.workspace = workspace
        self.timelines = timelines
    }

    /// Each file's incident, or why it does not read, in the order of `files`.
    func read(_ files: [TreeFile]) throws -> [Result<Incident, any Error>] {
        if second == nil, files.count >= Self.bigJob {
            second = try OpsError.wrapping { try GitRepository.open(workspace.gitDirectory) }
        }
        guard let second, files.count >= 64 else { return files.map { Self.parse($0, workspace.repository, timelines: timelines) } }
        let repositories = [workspace.repository, second]
        let size = (files.count + 1) / 2
        let results = Mutex<[[Result<Incident, any Error>]]>([[], []])
        let handles = Handles(repositories: repositories)
        let withTimelines = timelines
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let mine = files[min(part * size, files.count)..<min((part + 1) * size, files.count)].map {
                Self.parse($0, handles.repositories[part], timelines: withTimelines)
            }
            results.withLock { $0[part] = mine }
        }
        return results.withLock { $0.flatMap { $0 } }
    }

    private static func parse(_ file: TreeFile, _ repository: GitRepository, timelines: Bool) -> Result<Incident, any Error> {
        Result {
            let text = try Workspace.text(of: file, in: repository)
            return try timelines ? Incident(MarkdownDocument(text, path: file.path)) : Incident(summaryOf: text, path: file.path)
        }
    }

    /// The handles, one per part: part `n` uses `repositories[n]` and no other.
    private struct Handles: @unchecked Sendable {
        let repositories: [GitRepository]
    }
}

extension IncidentColumns {
    /// Every committed incident's columns, and the files that did not read. From
    /// `.git/ops/incidents.columns` when it holds the `incidents/` tree at HEAD, without reading
    /// any incident; otherwise from the catalog (and its parse cache), then kept for the next run
    /// when every file read, so problems are reported every time.
    public static func load(_ workspace: Workspace) throws -> (columns: IncidentColumns, problems: [Problem]) {
        if let tree = try workspace.committedEntryID(IncidentLocator.folder)?.hex,
            let columns = IncidentColumnsFile.read(gitDirectory: workspace.gitDirectory, tree: tree)
        {
            return (columns, [])
        }
        let catalog = try IncidentCatalog.load(workspace)
        let columns = IncidentColumns(catalog.incidents)
        if let tree = catalog.tree, catalog.problems.isEmpty { IncidentColumnsFile.write(columns, tree: tree, gitDirectory: workspace.gitDirectory) }
        return (columns, catalog.problems)
    }
}
