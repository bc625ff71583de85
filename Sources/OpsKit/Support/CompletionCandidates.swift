import Foundation
import GitStore

/// What shell completion offers from the ops repository. Each reads only names (file names in
/// the committed tree, and ops.yaml), never a whole incident, so a Tab answers at once.
public enum CompletionCandidates {
    /// Incident IDs, newest first. When the word typed so far is the start of an ID's last part
    /// (`7f`), that part is offered in lower case (`7f3ak2qx`), the way people type IDs.
    public static func incidentIDs(in workspace: Workspace, matching prefix: String) throws -> [String] {
        let ids = IncidentLocator.refs(in: try workspace.committedFiles(under: IncidentLocator.folder)).map(\.id).sorted(by: >)
        let typed = prefix.lowercased()
        guard !typed.isEmpty, !"inc-".hasPrefix(typed), !typed.hasPrefix("inc-") else { return ids }
        return ids.map { $0.suffix(8).lowercased() }.filter { $0.hasPrefix(typed) }
    }

    public static func services(in workspace: Workspace) throws -> [String] {
        try workspace.config().services.map(\.name)
    }

    public static func people(in workspace: Workspace) throws -> [String] {
        try workspace.config().people.map(\.handle)
    }

    public static func runbooks(in workspace: Workspace) throws -> [String] {
        try workspace.committedFiles(under: RunbookService.folder).map { ($0.path as NSString).lastPathComponent }
            .filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }
}
