import Foundation
import GitStore
import Yams

/// The backlog: follow-up work with owners and due dates, including postmortem action items.
public struct BacklogService {
    let workspace: Workspace
    static let locator = DocumentLocator.backlog

    public init(_ workspace: Workspace) { self.workspace = workspace }

    public struct Draft: Sendable {
        public var title: String
        public var tags: [String] = []
        public var priority: String?
        public var owner: String?
        public var due: String?
        /// An incident, decision or review week it came from.
        public var from: String?

        public init(title: String) { self.title = title }
    }

    public func add(_ draft: Draft, author: Author) throws -> BacklogItem {
        let config = try workspace.config()
        let (path, text, item) = try newItem(draft, config: config)
        try workspace.commit(action: "backlog.add", id: item.id, subject: "backlog add \(item.id): \(item.title)", author: author) { snapshot in
            if try snapshot.read(path) != nil { throw OpsError.repository("\(item.id) exists already; run the command again") }
            return [.write(path, text)]
        }
        return item
    }

    /// A new item's file, checked against ops.yaml; not yet committed.
    func newItem(_ draft: Draft, config: OpsConfig, id: DocumentID? = nil) throws -> (String, String, BacklogItem) {
        let title = IncidentService.printable(draft.title.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !title.isEmpty, !title.contains("\n") else {
            throw OpsError.input("a backlog item needs a one-line title: ops backlog add \"Add a canary for model deploys\" --tag SLO --priority P1")
        }
        try InputLimits.checkTitle(title, hint: "put the detail in the item's file, below its heading")
        let tags = try draft.tags.map { try config.backlogTag(named: $0) }
        let priority = try draft.priority.map { try Self.priority($0) }
        let owner = try draft.owner.map { try config.personHandle(named: $0) }
        let now = workspace.clock()
        let due = try draft.due.map { try DecisionService.day($0, config, now: now) }
        let source = try draft.from.map { try self.source($0) }
        let id = id ?? workspace.makeID(kind: "BL", at: now)
        let path = "\(Self.locator.folder)/\(id)-\(DocumentLocator.slug(title)).md"
        var fields: [(String, Node)] = [("id", Node(id.description)), ("title", .text(title)), ("status", Node("open"))]
        if let priority { fields.append(("priority", Node(priority))) }
        if let owner { fields.append(("owner", .text(owner))) }
        if let due { fields.append(("due", Node(due))) }
        fields.append(("tags", .list(tags)))
        if let source { fields.append(("source", .text(source))) }
        fields.append(("created_at", .timestamp(now)))
        let document = try MarkdownDocument.make(path: path, fields: fields, body: "# \(title)\n\n<!-- What done looks like. -->\n")
        return (path, document.text, try BacklogItem(document))
    }

    /// start → in progress, done, drop → dropped.
    public func setStatus(_ input: String, to status: String, author: Author) throws -> (item: BacklogItem, changed: Bool) {
        let ref = try Self.locator.locate(input, in: workspace)
        var result: BacklogItem?
        let verb = status == "in progress" ? "start" : status == "dropped" ? "drop" : status
        let commit = try workspace.commit(action: "backlog.\(verb)", id: ref.id, subject: "backlog \(verb) \(ref.id)", author: author) { snapshot in
            var document = try DecisionService.read(ref.path, snapshot)
            if try BacklogItem(document).status == status { result = try BacklogItem(document); return [] }
            try document.frontMatter?.set("status", Node(status), order: BacklogItem.fieldOrder)
            result = try BacklogItem(document)
            return [.write(ref.path, document.text)]
        }
        return (result!, commit != nil)
    }

    /// Every committed item, by priority then due date, and files that did not read.
    public func list() throws -> (items: [BacklogItem], problems: [Problem]) {
        var items: [BacklogItem] = []
        var problems: [Problem] = []
        for ref in Self.locator.refs(in: try workspace.committedFiles(under: Self.locator.folder)) {
            do {
                items.append(try BacklogItem(MarkdownDocument(workspace.committedText(ref.path) ?? "", path: ref.path)))
            } catch {
                problems.append(Problem(error))
            }
        }
        return (Self.sorted(items), problems)
    }

    /// By priority, then due date, then id: the order every listing of items shows.
    static func sorted(_ items: [BacklogItem]) -> [BacklogItem] {
        items.sorted { ($0.priority ?? "P9", $0.due ?? "9999", $0.id) < ($1.priority ?? "P9", $1.due ?? "9999", $1.id) }
    }

    // MARK: Postmortem action items

    /// What `ops backlog sync` did.
    public struct SyncSummary: Sendable, Equatable {
        public var created: [String] = []
        public var closed: [String] = []
        public var ticked: [String] = []
        /// Action items not synced, with why.
        public var skipped: [String] = []
    }

    /// Makes every postmortem action item a backlog item (its id is written on the action item's
    /// line, so a second run creates nothing), and closes both when either is ticked or done.
    public func sync(author: Author) throws -> SyncSummary {
        let config = try workspace.config()
        // The day an action item is found done, written on its line so the weekly pack can count
        // what was done in a week without reading history.
        let now = workspace.clock()
        let stamp = " done:" + PostmortemService.day(now, zone: config.timeZone)
        var summary = SyncSummary()
        try workspace.commit(
            action: "backlog.sync", subject: "backlog sync: \(summary.created.count) new, \(summary.closed.count + summary.ticked.count) closed",
            ids: summary.created + summary.closed + summary.ticked, author: author
        ) { snapshot in
            summary = SyncSummary()
            var changes: [FileChange] = []
            let items = Dictionary(
                Self.locator.refs(in: try snapshot.files(under: Self.locator.folder)).map { ($0.id, $0) },
                uniquingKeysWith: { first, _ in first })
            for file in try snapshot.files(under: IncidentLocator.folder) where Postmortem.isFile(file.path) {
                let text = try UTF8Text.decode(try snapshot.read(file.path) ?? Data(), path: file.path)
                if let block = ConflictBlock.lint(file.path, text, nil).first {
                    // Both sides' lines are in it: items made from them now would be made twice.
                    summary.skipped.append("\(file.path):\(block.location.line ?? 1): a sync conflict block; settle it, commit, then sync the backlog again")
                    continue
                }
                let document = try MarkdownDocument(text, path: file.path)
                let postmortem = Postmortem(document)
                var lines = YAMLText.split(text)
                var changedPostmortem = false
                var occurrences: [String: Int] = [:]
                // Ids lines link already: a line added above a linked one of the same text takes the next.
                var linkedIDs = Set(postmortem.actionItems.compactMap { Self.linkedID(lines[$0.line - 1].text) })
                for action in postmortem.actionItems {
                    let index = action.line - 1
                    let occurrence = occurrences[action.text, default: 0]
                    occurrences[action.text] = occurrence + 1
                    if let linked = Self.linkedID(lines[index].text) {
                        guard let ref = items[linked] else {
                            summary.skipped.append("\(file.path):\(action.line): \(linked) is not in the backlog (deleted?); left as it is")
                            continue
                        }
                        var itemDocument: MarkdownDocument
                        let item: BacklogItem
                        do {
                            itemDocument = try DecisionService.read(ref.path, snapshot)
                            item = try BacklogItem(itemDocument)
                        } catch {
                            summary.skipped.append(Problem(error).description)
                            continue
                        }
                        if action.done && item.isOpen {
                            try itemDocument.frontMatter?.set("status", Node("done"), order: BacklogItem.fieldOrder)
                            changes.append(.write(ref.path, itemDocument.text))
                            summary.closed.append(item.id)
                            if action.doneOn == nil {
                                lines[index].text += stamp
                                changedPostmortem = true
                            }
                        } else if !action.done && item.status == "done", let ticked = Self.ticking(lines[index].text) {
                            lines[index].text = ticked + stamp
                            changedPostmortem = true
                            summary.ticked.append(item.id)
                        }
                        continue
                    }
                    // The first id of this text's that no line links yet.
                    let id = (occurrence...).lazy.map { Self.itemID(incident: postmortem.incident, text: action.text, occurrence: $0, now: now) }
                        .first { !linkedIDs.contains($0.description) }!
                    linkedIDs.insert(id.description)
                    if items[id.description] != nil {
                        // Made for this line already (on another clone), and its link lost since.
                        lines[index].text += " (\(id))"
                        changedPostmortem = true
                        continue
                    }
                    var draft = Draft(title: action.text)
                    draft.owner = action.owner
                    draft.due = action.due
                    draft.priority = action.priority
                    draft.tags = action.tags
                    draft.from = "postmortem:" + postmortem.incident
                    let (path, itemText, item): (String, String, BacklogItem)
                    do {
                        (path, itemText, item) = try newItem(draft, config: config, id: id)
                    } catch let error as OpsError {
                        summary.skipped.append("\(file.path):\(action.line): \(error.detail)")
                        continue
                    }
                    var finalText = itemText
                    if action.done {
                        var itemDocument = try MarkdownDocument(itemText, path: path)
                        try itemDocument.frontMatter?.set("status", Node("done"), order: BacklogItem.fieldOrder)
                        finalText = itemDocument.text
                    }
                    changes.append(.write(path, finalText))
                    lines[index].text += " (\(item.id))" + (action.done && action.doneOn == nil ? stamp : "")
                    changedPostmortem = true
                    summary.created.append(item.id)
                }
                if changedPostmortem { changes.append(.write(file.path, lines.map { $0.text + $0.terminator }.joined())) }
            }
            return changes
        }
        return summary
    }

    /// The id sync gives the backlog item of an action item: the incident's date, and a hash of
    /// the incident, the item's text and how many items of that text stand before it in the
    /// postmortem. Two clones that sync the same postmortem offline make the same item, one file
    /// that merges, not two items for one piece of work. A postmortem that names no incident id
    /// gives the date of `now`.
    static func itemID(incident: String, text: String, occurrence: Int, now: Date) -> DocumentID {
        let date = DocumentID(incident, kind: "INC")?.date ?? DocumentID.day(now)
        return DocumentID.derived(kind: "BL", date: date, key: ["backlog-sync", incident, text, String(occurrence)].joined(separator: "\n"))
    }

    /// The backlog id sync wrote on an action item's line, `(BL-20261122-9HD2W0PA)`, wherever it
    /// stands now (people add notes after it).
    static func linkedID(_ line: String) -> String? {
        var rest = Substring(line)
        while let open = rest.range(of: "(BL-") {
            let after = rest[open.upperBound...]
            if let close = after.firstIndex(of: ")"), let id = DocumentID("BL-" + after[..<close], kind: "BL") { return id.description }
            rest = after
        }
        return nil
    }

    /// The line with its box ticked, and nothing else changed; nil when it is not a task line.
    static func ticking(_ line: String) -> String? {
        guard let item = ChecklistLine(line), !item.checked else { return nil }
        var characters = Array(line)
        let box = item.indent + 3  // "- [" then the box character
        guard box < characters.count, characters[box] == " " else { return nil }
        characters[box] = "x"
        return String(characters)
    }

    // MARK: Checks

    static func priority(_ text: String) throws -> String {
        let value = text.uppercased()
        guard BacklogItem.priorities.contains(value) else { throw OpsError.input("priority '\(text)' is not one of P0, P1, P2, P3") }
        return value
    }

    /// `--from`: an incident, a decision or a review week.
    func source(_ text: String) throws -> String {
        // Already a source (`postmortem:INC-…`), as sync writes them.
        if let colon = text.firstIndex(of: ":"), ["incident", "postmortem", "decision", "review"].contains(String(text[..<colon])) {
            return text
        }
        if let week = ISOWeek(text) { return "review:\(week)" }
        if text.uppercased().hasPrefix("D-") {
            return "decision:" + (try DocumentLocator.decisions.locate(text, in: workspace).id)
        }
        return "incident:" + (try IncidentLocator.locate(text, in: workspace).id)
    }
}
