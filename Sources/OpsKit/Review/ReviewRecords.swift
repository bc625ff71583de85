import Foundation
import GitStore

/// The postmortems, decisions and backlog items a pack reads, as they had been recorded at its
/// moment (docs/DESIGN.md §7): an item added after the week's end is not in it, one done after it is
/// still open in it, a decision accepted after it is still proposed. Their files keep no date
/// for each status, so the state then comes from Git history (`RecordedState`).
struct ReviewRecords {
    let workspace: Workspace
    let recorded: RecordedState
    let zone: TimeZone

    /// `incidents`: incident files whose commits the pack also asks about (`RecordedState.changed`).
    init(_ workspace: Workspace, at instant: Date, zone: TimeZone, incidents: Set<String> = []) throws {
        self.workspace = workspace
        self.zone = zone
        recorded = try RecordedState(workspace, at: instant) { path in
            path.hasPrefix(BacklogService.locator.folder + "/") || path.hasPrefix(DecisionService.locator.folder + "/")
                || path.hasPrefix(IncidentLocator.folder + "/") && (Postmortem.isFile(path) || incidents.contains(path))
        }
    }

    /// Postmortems by incident id. A file that did not read then is left out, as it is now.
    func postmortems() throws -> [String: Postmortem] {
        var result: [String: Postmortem] = [:]
        for file in try PostmortemIndex.files(workspace) {
            guard let text = try recorded.text(of: file.path, created: { created($0, file.path) }), let document = try? MarkdownDocument(text, path: file.path)
            else { continue }
            let postmortem = Postmortem(document)
            result[postmortem.incident] = postmortem
        }
        return result
    }

    /// Decisions that existed then, as they read then; files that did not read are left out, as `ops decision list` does.
    func decisions() throws -> [Decision] {
        try documents(DecisionService.locator) { try Decision($0) }
    }

    func backlog() throws -> [BacklogItem] {
        try documents(BacklogService.locator) { try BacklogItem($0) }
    }

    private func documents<Value>(_ locator: DocumentLocator, _ parse: (MarkdownDocument) throws -> Value) throws -> [Value] {
        try locator.refs(in: workspace.committedFiles(under: locator.folder)).compactMap { ref in
            guard let text = try recorded.text(of: ref.path, created: { created($0, ref.path) }) else { return nil }
            return try? parse(MarkdownDocument(text, path: ref.path))
        }
    }

    /// When a document says it was made: `created_at` (backlog items, postmortems), else the
    /// start of its `date` (decisions).
    private func created(_ text: String, _ path: String) -> Date? {
        guard let yaml = (try? MarkdownDocument(text, path: path))?.frontMatter else { return nil }
        if let value = yaml["created_at"]?.scalarText, let date = Timestamp.parse(value) { return date }
        return yaml["date"]?.scalarText.flatMap { TimeInput.day($0, zone: zone) }
    }
}
