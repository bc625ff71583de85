import Foundation
import GitStore

/// Where an incident lives: its id and the path of its incident.md.
public struct IncidentRef: Sendable, Equatable {
    public var id: String
    public var path: String
}

/// Finds incidents in a tree and resolves what a person typed to one of them.
enum IncidentLocator {
    static let folder = "incidents"

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

    /// Resolves a full id, or a unique start of its random part (at least 4 characters, any case).
    /// Anything that could not be an id is refused before it is used to build a path.
    static func resolve(_ input: String, among refs: [IncidentRef], titles: (IncidentRef) -> String? = { _ in nil }) throws -> IncidentRef {
        let text = input.trimmingCharacters(in: .whitespaces)
        let help = "Incident IDs look like INC-20261122-7F3AK2QX; the first 4 or more characters of the last part (7f3a) work too"
        guard !text.isEmpty, text.count <= 40, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw OpsError.input("'\(input.prefix(60))' is not an incident ID. \(help)")
        }
        let matches: [IncidentRef]
        if let id = DocumentID(text, kind: "INC") {
            matches = refs.filter { $0.id == id.description }
        } else {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            var date: String?
            var prefixText = text
            if parts.count == 3, parts[0].uppercased() == "INC", parts[1].count == 8 {
                date = parts[1]
                prefixText = parts[2]
            } else if parts.count != 1 {
                throw OpsError.input("'\(input)' is not an incident ID. \(help)")
            }
            guard let prefix = DocumentID.normalizeRandom(prefixText), date != nil || prefix.count >= 4 else {
                throw OpsError.input("'\(input)' is too short or not an incident ID. \(help)")
            }
            matches = refs.filter { ref in
                let id = DocumentID(ref.id, kind: "INC")!
                return id.random.hasPrefix(prefix) && (date == nil || id.date == date)
            }
        }
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            throw OpsError.input("no incident matches '\(input)'. `ops incident list` shows them")
        default:
            let list = matches.sorted { $0.id < $1.id }.prefix(8).map { ref in titles(ref).map { "\(ref.id) (\($0))" } ?? ref.id }
            throw OpsError.input("'\(input)' matches \(matches.count) incidents: \(list.joined(separator: ", ")). Type more characters")
        }
    }
}

/// Every committed incident, parsed. Files that do not read are reported, not fatal.
public struct IncidentCatalog: Sendable {
    public var incidents: [Incident]
    /// Incident files that could not be read, with why.
    public var problems: [Problem]

    /// Reads every incident at HEAD (those `keep` wants, when given). Without timelines,
    /// unchanged files come from the parse cache, and when the whole `incidents/` tree is the one
    /// cached, no tree is walked at all and only the kept incidents are held in memory.
    public static func load(_ workspace: Workspace, timelines: Bool = false, where keep: ((Incident) -> Bool)? = nil) throws -> IncidentCatalog {
        let treeID = try workspace.committedEntryID(IncidentLocator.folder)
        if !timelines, let treeID,
           let incidents = IncidentCache.incidents(gitDirectory: workspace.gitDirectory, tree: treeID.hex, where: keep ?? { _ in true }) {
            return IncidentCatalog(incidents: incidents.sorted { $0.path < $1.path }, problems: [])
        }
        var cache = timelines ? nil : IncidentCache(gitDirectory: workspace.gitDirectory)
        let files = try workspace.committedFiles(under: IncidentLocator.folder)
        let refs = Set(IncidentLocator.refs(in: files).map(\.path))
        let wanted = files.filter { refs.contains($0.path) }
        var incidents: [Incident] = []
        incidents.reserveCapacity(wanted.count)
        var problems: [Problem] = []
        for file in wanted {
            if let cached = cache?.incident(for: file) {
                incidents.append(cached)
                continue
            }
            do {
                let incident = try Incident(MarkdownDocument(workspace.text(of: file), path: file.path), timeline: timelines)
                cache?.store(incident, for: file)
                incidents.append(incident)
            } catch {
                problems.append(Problem(error))
            }
        }
        // The tree is recorded only when every file in it parsed, so problems are reported every time.
        cache?.save(keeping: wanted, tree: problems.isEmpty ? treeID?.hex : nil)
        if let keep { incidents = incidents.filter(keep) }
        return IncidentCatalog(incidents: incidents, problems: problems)
    }
}
