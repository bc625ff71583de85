import Foundation
import GitStore

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
        files.compactMap { file in
            let parts = file.path.split(separator: "/")
            guard parts.count == 5, parts[4] == "incident.md", DocumentID(String(parts[3]), kind: "INC") != nil else { return nil }
            return IncidentRef(id: String(parts[3]), path: file.path)
        }
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

    /// Reads every incident at HEAD (those `keep` wants, when given). Without timelines,
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
        let files = try workspace.committedFiles(under: IncidentLocator.folder)
        let refs = Set(IncidentLocator.refs(in: files).map(\.path))
        let wanted = files.filter { refs.contains($0.path) }
        // Streams: only the incidents `keep` wants are held, the cache keeps encoded lines.
        var incidents: [Incident] = []
        if keep == nil { incidents.reserveCapacity(wanted.count) }
        var problems: [Problem] = []
        for file in wanted {
            let incident: Incident
            if let cached = cache?.incident(for: file) {
                incident = cached
            } else {
                do {
                    let text = try workspace.text(of: file)
                    incident = try timelines ? Incident(MarkdownDocument(text, path: file.path)) : Incident(summaryOf: text, path: file.path)
                } catch {
                    problems.append(Problem(error))
                    continue
                }
                cache?.store(incident, for: file)
            }
            if keep?(incident) ?? true { incidents.append(incident) }
        }
        // The tree is recorded only when every file in it parsed, so problems are reported every time.
        cache?.save(keeping: wanted, tree: problems.isEmpty ? treeID?.hex : nil)
        return IncidentCatalog(incidents: incidents, problems: problems, tree: treeID?.hex)
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
