import Foundation
import GitStore
import Yams

/// The decision log: each change is one commit, so Git answers "who decided this, and when".
public struct DecisionService {
    let workspace: Workspace
    static let locator = DocumentLocator.decisions

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What `ops decision new` needs; the text sections are optional and can be filled later.
    public struct Draft: Sendable {
        public var title: String
        public var status = "proposed"
        /// `Decision.kind`; nil for a decision people take.
        public var kind: String?
        public var owner: String?
        public var due: String?
        public var tags: [String] = []
        public var deciders: [String] = []
        public var incidents: [String] = []
        public var reviews: [String] = []
        public var context = ""
        public var options: [String] = []
        public var decision = ""
        public var consequences = ""

        public init(title: String) { self.title = title }
    }

    /// Writes a new decision record in one commit. `review` may change the text first (a person
    /// in $EDITOR); what comes back must still read as a decision with the same id.
    public func create(_ draft: Draft, author: Author, review: ((String) throws -> String)? = nil) throws -> Decision {
        var document = try self.document(draft, author: author) { workspace.makeID(kind: "D", at: $0) }
        let id = try Decision(document).id
        let path = document.path
        if let review {
            let edited = try MarkdownDocument(try review(document.text), path: path)
            guard try Decision(edited).id == id else {
                throw OpsError.file(path, line: edited.frontMatter?.line(of: "id"), "the id must stay \(id); it names the file")
            }
            document = edited
        }
        try workspace.commit(action: "decision.new", id: id, subject: "decision new \(id): \(Self.title(draft))", author: author) { snapshot in
            if try snapshot.read(path) != nil { throw OpsError.repository("\(id) exists already; run the command again") }
            return [.write(path, document.text)]
        }
        return try Decision(document)
    }

    /// Writes the decision `id` names, unless a decision with that id is already committed:
    /// then that one is returned and nothing is written. The check is made inside the commit,
    /// on the commit it builds on, so writers racing with the same id make one record between
    /// them (the release gate's exception, whose id is derived from what it records).
    func createOnce(_ draft: Draft, id: DocumentID, author: Author) throws -> (decision: Decision, created: Bool) {
        let document = try self.document(draft, author: author) { _ in id }
        let path = document.path
        var found: Decision?
        try workspace.commit(action: "decision.new", id: id.description, subject: "decision new \(id): \(Self.title(draft))", author: author) { snapshot in
            found = nil
            if let existing = Self.locator.refs(in: try snapshot.files(under: Self.locator.folder)).first(where: { $0.id == id.description }) {
                found = try Decision(Self.read(existing.path, snapshot))
                return []
            }
            return [.write(path, document.text)]
        }
        if let found { return (found, false) }
        return (try Decision(document), true)
    }

    static func title(_ draft: Draft) -> String {
        IncidentService.printable(draft.title.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The text of a new decision from `draft`, checked against ops.yaml; `makeID(now)` names
    /// it once the draft passed every check.
    private func document(_ draft: Draft, author: Author, makeID: (Date) -> DocumentID) throws -> MarkdownDocument {
        let config = try workspace.config()
        let title = Self.title(draft)
        guard !title.isEmpty, !title.contains("\n") else {
            throw OpsError.input("a decision needs a one-line title: ops decision new \"Freeze non-critical releases for ops_copilot\"")
        }
        try InputLimits.checkTitle(title, hint: "put the detail in the decision's Context section")
        for (text, what) in [(draft.context, "the context"), (draft.decision, "the decision text"), (draft.consequences, "the consequences")] {
            try InputLimits.checkNote(text, what: what)
        }
        let status = draft.status.lowercased()
        guard Decision.statuses.contains(status), status != "superseded" else {
            throw OpsError.input("status '\(draft.status)' is not one of: proposed, accepted, rejected, deprecated")
        }
        let owner = try draft.owner.map { try config.personHandle(named: $0) }
        let deciders = try draft.deciders.map { try config.personHandle(named: $0) }
        let due = try draft.due.map { try Self.day($0, config, now: workspace.clock()) }
        let tags = try draft.tags.map { try config.backlogTag(named: $0) }
        let incidents = try draft.incidents.map { try IncidentLocator.locate($0, in: workspace).id }
        let reviews = try draft.reviews.map { text -> String in
            guard let week = ISOWeek(text) else { throw OpsError.input("'\(text)' is not an ISO week. Write it like 2026-W47") }
            return week.description
        }
        let now = workspace.clock()
        let id = makeID(now)
        let path = "\(Self.locator.folder)/\(id)-\(DocumentLocator.slug(title)).md"
        var fields: [(String, Node)] = [
            ("id", Node(id.description)), ("title", .text(title)), ("status", Node(status)),
            ("date", Node(PostmortemService.day(now, zone: config.timeZone))),
        ]
        if let kind = draft.kind { fields.insert(("kind", Node(kind)), at: 3) }
        fields.append(("deciders", .list(deciders.isEmpty ? [author.handle] : deciders)))
        fields += [("consulted", .list([])), ("informed", .list([]))]
        if let owner { fields.append(("owner", .text(owner))) }
        if let due { fields.append(("due", Node(due))) }
        fields.append(("tags", .list(tags)))
        if !incidents.isEmpty { fields.append(("incidents", .list(incidents))) }
        if !reviews.isEmpty { fields.append(("reviews", .list(reviews))) }
        func section(_ text: String, _ placeholder: String) -> String {
            let trimmed = IncidentService.printable(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return trimmed.isEmpty ? "<!-- \(placeholder) -->" : trimmed
        }
        let options =
            draft.options.isEmpty
            ? "<!-- The options weighed, one per line: - option: why or why not -->"
            : draft.options.map { "- " + IncidentService.printable($0) }.joined(separator: "\n")
        let body = """
            # \(title)

            ## Context
            \(section(draft.context, "What is the situation, and what forces a decision?"))

            ## Options considered
            \(options)

            ## Decision
            \(section(draft.decision, "What was decided, in one or two sentences."))

            ## Consequences
            \(section(draft.consequences, "What becomes easier or harder; who has to act."))

            """
        return try MarkdownDocument.make(path: path, fields: fields, body: body)
    }

    /// Moves a decision to `status` (accepted, rejected, deprecated).
    public func setStatus(_ input: String, to status: String, author: Author) throws -> (decision: Decision, changed: Bool) {
        let ref = try Self.locator.locate(input, in: workspace)
        var result: Decision?
        let commit = try workspace.commit(
            action: "decision.\(status == "accepted" ? "accept" : status == "rejected" ? "reject" : "deprecate")",
            id: ref.id, subject: "decision \(status) \(ref.id)", author: author
        ) { snapshot in
            var document = try Self.read(ref.path, snapshot)
            let decision = try Decision(document)
            if decision.status == status { result = decision; return [] }
            if decision.status == "superseded" {
                throw OpsError.input("\(ref.id) was superseded by \(decision.supersededBy ?? "another decision"); change that one instead")
            }
            try document.frontMatter?.set("status", Node(status), order: Decision.fieldOrder)
            result = try Decision(document)
            return [.write(ref.path, document.text)]
        }
        return (result!, commit != nil)
    }

    /// Marks `old` superseded by `new`, both files in one commit. `new` must be accepted, so an
    /// accepted decision stays in force; `accept` accepts it in the same commit.
    public func supersede(
        _ oldInput: String, by newInput: String, accept: Bool = false,
        author: Author
    ) throws -> (old: Decision, new: Decision) {
        let refs = Self.locator.refs(in: try workspace.committedFiles(under: Self.locator.folder))
        let old = try Self.locator.resolve(oldInput, among: refs)
        let new = try Self.locator.resolve(newInput, among: refs)
        guard old.id != new.id else { throw OpsError.input("a decision cannot supersede itself (\(old.id))") }
        var result: (Decision, Decision)?
        try workspace.commit(
            action: "decision.supersede", id: old.id, subject: "decision \(old.id) superseded by \(new.id)",
            ids: [new.id], author: author
        ) { snapshot in
            var oldDocument = try Self.read(old.path, snapshot)
            var newDocument = try Self.read(new.path, snapshot)
            let oldDecision = try Decision(oldDocument)
            if let by = oldDecision.supersededBy {
                throw OpsError.input("\(old.id) is already superseded by \(by)")
            }
            // Following what `old` supersedes must never lead back to `new`. Only the chain is read,
            // from the commit being built, so an unrelated file cannot block this.
            let current = Self.locator.refs(in: try snapshot.files(under: Self.locator.folder))
            func decision(_ id: String) -> Decision? {
                guard let ref = current.first(where: { $0.id == id }) else { return nil }
                return try? Decision(Self.read(ref.path, snapshot))
            }
            var cursor: String? = old.id
            var seen = Set<String>()
            while let id = cursor, seen.insert(id).inserted {
                if id == new.id {
                    throw OpsError.input("\(new.id) cannot supersede \(old.id): \(old.id) already supersedes \(new.id), so that would make a cycle")
                }
                cursor = decision(id)?.supersedes
            }
            let newDecision = try Decision(newDocument)
            if let existing = newDecision.supersedes {
                throw OpsError.input("\(new.id) already supersedes \(existing); a decision supersedes one other")
            }
            if newDecision.status != "accepted" {
                guard accept, newDecision.status != "superseded" else {
                    throw OpsError.input(
                        "\(new.id) is \(newDecision.status), not accepted, so nothing would be in force in place of \(old.id). "
                            + "Accept it in the same commit: ops decision supersede \(oldInput) --by \(newInput) --accept")
                }
                try newDocument.frontMatter?.set("status", Node("accepted"), order: Decision.fieldOrder)
            }
            try oldDocument.frontMatter?.set("status", Node("superseded"), order: Decision.fieldOrder)
            try oldDocument.frontMatter?.set("superseded_by", Node(new.id), order: Decision.fieldOrder)
            try newDocument.frontMatter?.set("supersedes", Node(old.id), order: Decision.fieldOrder)
            result = (try Decision(oldDocument), try Decision(newDocument))
            return [.write(old.path, oldDocument.text), .write(new.path, newDocument.text)]
        }
        return result!
    }

    /// Every committed decision, newest first, and files that did not read.
    public func list() throws -> (decisions: [Decision], problems: [Problem]) {
        var decisions: [Decision] = []
        var problems: [Problem] = []
        for ref in Self.locator.refs(in: try workspace.committedFiles(under: Self.locator.folder)) {
            do {
                decisions.append(try Decision(MarkdownDocument(workspace.committedText(ref.path) ?? "", path: ref.path)))
            } catch {
                problems.append(Problem(error))
            }
        }
        return (decisions.sorted { ($0.date, $0.id) > ($1.date, $1.id) }, problems)
    }

    /// One decision, and the chain it is part of: what it supersedes (oldest first) and what superseded it.
    public func show(_ input: String) throws -> (decision: Decision, text: String, older: [Decision], newer: [Decision]) {
        let ref = try Self.locator.locate(input, in: workspace)
        let all = Dictionary(try list().decisions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard let decision = all[ref.id], let text = try workspace.committedText(ref.path) else { throw OpsError.input("no decision matches '\(input)'") }
        var older: [Decision] = []
        var cursor = decision.supersedes
        while let id = cursor, let found = all[id], !older.contains(where: { $0.id == id }) {
            older.insert(found, at: 0)
            cursor = found.supersedes
        }
        var newer: [Decision] = []
        cursor = decision.supersededBy
        while let id = cursor, let found = all[id], !newer.contains(where: { $0.id == id }) {
            newer.append(found)
            cursor = found.supersededBy
        }
        return (decision, text, older, newer)
    }

    static func read(_ path: String, _ snapshot: Snapshot) throws -> MarkdownDocument {
        guard let data = try snapshot.read(path) else { throw OpsError.repository("\(path) was deleted by another change; nothing was written") }
        return try MarkdownDocument(UTF8Text.decode(data, path: path), path: path)
    }

    /// A due date as typed (`2026-12-01`, `+2w`), as `YYYY-MM-DD` in the team's zone.
    static func day(_ text: String, _ config: OpsConfig, now: Date) throws -> String {
        if text.hasPrefix("+"), let seconds = TimeInput.durationSeconds(String(text.dropFirst())) {
            return PostmortemService.day(now.addingTimeInterval(Double(seconds)), zone: config.timeZone)
        }
        guard TimeInput.day(text, zone: config.timeZone) != nil else {
            throw OpsError.input("'\(text)' is not a due date. Write it like 2026-12-01, or +2w for two weeks from now")
        }
        return text
    }
}
