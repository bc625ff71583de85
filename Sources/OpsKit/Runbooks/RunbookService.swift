import Foundation
import GitStore
import Yams

/// Runbooks, and their checklists attached to incidents. Every change is one commit that also
/// records who did what in the incident's timeline.
public struct RunbookService {
    let workspace: Workspace
    static let folder = "runbooks"

    public init(_ workspace: Workspace) { self.workspace = workspace }

    // MARK: Runbooks

    /// Every committed runbook, by slug.
    public func list() throws -> [Runbook] {
        try workspace.committedFiles(under: Self.folder).filter { $0.path.hasSuffix(".md") }.map { file in
            try Runbook(MarkdownDocument(workspace.text(of: file), path: file.path))
        }
    }

    /// The runbook called `slug`; an unknown one lists the known.
    public func find(_ slug: String) throws -> Runbook {
        let known = try list()
        if let runbook = known.first(where: { $0.slug == slug.lowercased() }) { return runbook }
        throw OpsError.input("unknown runbook '\(slug)'. Runbooks: \(known.map(\.slug).joined(separator: ", "))")
    }

    /// `name` when it is the slug of a committed runbook, as `--runbook` takes it. Runbooks are
    /// documents in the repository, not names in ops.yaml, so they are resolved here, where they
    /// are read; only the file list is read, so a hand-broken runbook does not stop an incident.
    func slug(named name: String) throws -> String {
        let known = try workspace.committedFiles(under: Self.folder).map { ($0.path as NSString).lastPathComponent }
            .filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }
        if known.contains(name) { return name }
        throw OpsError.input("unknown runbook '\(name)'. Known: \(known.joined(separator: ", "))")
    }

    /// Writes `runbooks/<slug>.md` from `templates/runbook.md`, with the five phases to fill in.
    public func create(_ slug: String, title: String?, author: Author) throws -> String {
        guard !slug.isEmpty, slug.count <= 80, slug.allSatisfy({ ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }),
            !slug.hasPrefix("-")
        else {
            throw OpsError.input("'\(slug)' is not a runbook name. Use lower-case letters, digits and dashes: model-serving-degradation")
        }
        let path = "\(Self.folder)/\(slug).md"
        let heading = title ?? slug.split(separator: "-").joined(separator: " ").capitalizedFirst
        let templatePath = "templates/runbook.md"
        let template = try workspace.committedText(templatePath) ?? StarterKit.text("runbook.md")
        var document = try MarkdownDocument(
            try TemplateRenderer.render(template, path: templatePath, with: ["slug": slug, "title": heading]),
            path: path)
        try document.frontMatter?.set("id", .text(slug), order: Runbook.fieldOrder)
        try document.frontMatter?.set("title", .text(heading), order: Runbook.fieldOrder)
        let text = document.text
        let commit = try workspace.commit(action: "runbook.new", id: slug, subject: "runbook new \(slug): \(heading)", author: author) { snapshot in
            if try snapshot.read(path) != nil { throw OpsError.input("\(path) exists already") }
            return [.write(path, text)]
        }
        guard commit != nil else { throw OpsError.input("\(path) exists already") }
        return path
    }

    // MARK: Attached checklists

    /// Copies the runbook's checklist into the incident's runbook.md and names it in the incident.
    public func attach(_ input: String, runbook slug: String, author: Author) throws -> AttachedRunbook {
        let ref = try IncidentLocator.locate(input, in: workspace)
        let attachment = try self.attachment(slug, to: ref, at: workspace.clock(), by: author.handle)
        try workspace.commit(action: "runbook.attach", id: ref.id, subject: "runbook attach \(attachment.slug) to \(ref.id)", author: author) { snapshot in
            if let existing = try snapshot.read(attachment.path) {
                let attached = AttachedRunbook(try MarkdownDocument(UTF8Text.decode(existing, path: attachment.path), path: attachment.path))
                let progress = "(\(attached.done) of \(attached.items.count) done)"
                guard attached.slug == attachment.slug else {
                    throw OpsError.input(
                        "\(ref.id) follows the \(attached.slug) runbook \(progress), and an incident has one checklist: it is kept. Read the steps of \(attachment.slug) with ops runbook show \(attachment.slug), and record what you do with ops incident note \(ref.id) \"…\""
                    )
                }
                throw OpsError.input(
                    "\(ref.id) has the \(attached.slug) checklist already \(progress): nothing to attach. Its steps: ops incident show \(ref.id)")
            }
            var incident = try Self.incidentDocument(ref, snapshot)
            try attachment.record(in: &incident)
            return [.write(attachment.path, attachment.text), .write(ref.path, incident.text)]
        }
        return attachment.checklist
    }

    /// A runbook's checklist ready to be attached to an incident: the copy to write next to it,
    /// and what the incident itself records. `attach`, `ops incident open --runbook` and alert
    /// intake all attach through this, so the three write the same files.
    struct Attachment {
        var slug: String
        var path: String
        var text: String
        var checklist: AttachedRunbook
        var entry: TimelineEntry

        /// Names the runbook in the incident's front matter and says so in its timeline.
        func record(in incident: inout IncidentDocument) throws {
            try incident.setText("runbook", slug)
            try incident.append(entry)
        }
    }

    func attachment(_ slug: String, to ref: IncidentRef, at date: Date, by actor: String) throws -> Attachment {
        // Only the named runbook is read: a hand-broken other one must not stop an incident opening.
        let files = try workspace.committedFiles(under: Self.folder).filter { $0.path.hasSuffix(".md") }
        guard let file = files.first(where: { $0.path == "\(Self.folder)/\(slug.lowercased()).md" }) else {
            let known = files.map { String(($0.path as NSString).lastPathComponent.dropLast(3)) }.sorted()
            throw OpsError.input("unknown runbook '\(slug)'. Runbooks: \(known.joined(separator: ", "))")
        }
        let runbook = try Runbook(MarkdownDocument(workspace.text(of: file), path: file.path))
        let source = file.blob.hex
        let path = Self.attachedPath(ref)
        let text = try AttachedRunbook.render(runbook, incident: ref.id, source: source, at: date, by: actor)
        return Attachment(
            slug: runbook.slug, path: path, text: text, checklist: AttachedRunbook(try MarkdownDocument(text, path: path)),
            entry: TimelineEntry(at: date, actor: actor, kind: "runbook", text: "attached \(runbook.slug) (\(runbook.items.count) steps)"))
    }

    /// What happens to one checklist item.
    public enum StepChange: Sendable {
        case check(note: String?)
        case uncheck
        case skip(reason: String)
    }

    /// Ticks, unticks or skips one item, and records it in the incident's timeline.
    public func step(_ input: String, _ id: String, _ change: StepChange, author: Author) throws -> (item: AttachedRunbook.Item, unchanged: String?) {
        let ref = try IncidentLocator.locate(input, in: workspace)
        let path = Self.attachedPath(ref)
        let stepID = id.lowercased()
        if case .skip(let reason) = change, reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw OpsError.input("say why the step does not apply: ops step skip \(ref.id) \(id) --reason \"no fallback model\"")
        }
        let now = workspace.clock()
        var result: (AttachedRunbook.Item, String?)?
        let action: String
        switch change {
        case .check: action = "check"
        case .uncheck: action = "uncheck"
        case .skip: action = "skip"
        }
        try workspace.commit(action: "step.\(action)", id: ref.id, subject: "step \(action) \(stepID) of \(ref.id)", author: author) { snapshot in
            guard let data = try snapshot.read(path) else {
                throw OpsError.input("\(ref.id) has no runbook attached. Attach one first: ops runbook attach \(ref.id) SLUG")
            }
            let text = try UTF8Text.decode(data, path: path)
            let attached = AttachedRunbook(try MarkdownDocument(text, path: path))
            guard let item = attached.items.first(where: { $0.id == stepID }) else { throw AttachedRunbook.unknownStep(id, attached) }
            let updated: String
            let entry: String
            switch change {
            case .check(let note):
                if item.checked && !item.skipped { result = (item, "\(stepID) is already done"); return [] }
                updated = try AttachedRunbook.setting(stepID, in: text, checked: true, skipReason: nil, path: path)
                entry = "checked \(stepID): \(item.text)" + (note.map { " — \($0)" } ?? "")
            case .uncheck:
                if !item.checked && !item.skipped { result = (item, "\(stepID) is not done"); return [] }
                updated = try AttachedRunbook.setting(stepID, in: text, checked: false, skipReason: nil, path: path)
                entry = "unchecked \(stepID): \(item.text)"
            case .skip(let reason):
                let why = reason.components(separatedBy: .newlines).joined(separator: " ").trimmingCharacters(in: .whitespaces)
                if item.skipped && item.reason == why { result = (item, "\(stepID) is already skipped"); return [] }
                updated = try AttachedRunbook.setting(stepID, in: text, checked: false, skipReason: why, path: path)
                entry = "skipped \(stepID): \(item.text) (\(why))"
            }
            var incident = try Self.incidentDocument(ref, snapshot)
            try incident.append(TimelineEntry(at: now, actor: author.handle, kind: "step", text: entry))
            let after = AttachedRunbook(try MarkdownDocument(updated, path: path))
            result = (after.items.first { $0.id == stepID }!, nil)
            return [.write(path, updated), .write(ref.path, incident.text)]
        }
        return result!
    }

    /// The committed checklist of an incident, nil when none is attached.
    public func attached(to incident: Incident) throws -> AttachedRunbook? {
        let path = AttachedRunbook.path(besideIncident: incident.path)
        guard let text = try workspace.committedText(path) else { return nil }
        return AttachedRunbook(try MarkdownDocument(text, path: path))
    }

    /// How the runbook changed since it was attached to the incident, as a unified diff.
    public func diff(_ input: String) throws -> String {
        let ref = try IncidentLocator.locate(input, in: workspace)
        let path = Self.attachedPath(ref)
        guard let text = try workspace.committedText(path) else {
            throw OpsError.input("\(ref.id) has no runbook attached. Attach one first: ops runbook attach \(ref.id) SLUG")
        }
        let attached = AttachedRunbook(try MarkdownDocument(text, path: path))
        let runbookPath = "\(Self.folder)/\(attached.slug).md"
        let current = try workspace.committedFiles(under: Self.folder).first { $0.path == runbookPath }?.blob
        guard let sourceHex = attached.source, let source = ObjectID(hex: sourceHex) else {
            throw OpsError.file(path, line: nil, "does not say which version of the runbook it copied (no `source:`)")
        }
        if source == current { return "" }
        return try workspace.diff(from: source, to: current, oldPath: runbookPath + " (attached)", newPath: runbookPath + " (now)")
    }

    // MARK: Stats

    /// Per runbook: how often it was attached, median completion, the steps most often skipped.
    public struct Usage: Sendable, Encodable {
        public var runbook: String
        public var timesUsed: Int
        /// Median of done / (total − skipped), 0...1; nil when never used.
        public var medianCompletion: Double?
        /// Step id → times skipped, most skipped first (at most 3).
        public var mostSkipped: [SkippedStep]

        public struct SkippedStep: Sendable, Encodable {
            public var step: String
            public var text: String
            public var times: Int
        }

        enum CodingKeys: String, CodingKey {
            case runbook, timesUsed = "times_used", medianCompletion = "median_completion", mostSkipped = "most_skipped"
        }
    }

    public func usage() throws -> [Usage] {
        let files = try workspace.committedFiles(under: IncidentLocator.folder).filter { AttachedRunbook.isFile($0.path) }
        var attachedBySlug: [String: [AttachedRunbook]] = [:]
        for file in files {
            let attached = AttachedRunbook(try MarkdownDocument(workspace.text(of: file), path: file.path))
            attachedBySlug[attached.slug, default: []].append(attached)
        }
        let slugs = Set(try list().map(\.slug)).union(attachedBySlug.keys)
        return slugs.sorted().map { slug in
            let uses = attachedBySlug[slug] ?? []
            let completions = uses.map { used -> Double in
                let applicable = used.items.count - used.skipped
                return applicable == 0 ? 1 : Double(used.done) / Double(applicable)
            }.sorted()
            let median: Double? =
                completions.isEmpty
                ? nil
                : completions.count % 2 == 1
                    ? completions[completions.count / 2] : (completions[completions.count / 2 - 1] + completions[completions.count / 2]) / 2
            var skipped: [String: (text: String, times: Int)] = [:]
            for used in uses {
                for item in used.items where item.skipped { skipped[item.id, default: (item.text, 0)].times += 1 }
            }
            let top = skipped.sorted { ($1.value.times, $0.key) < ($0.value.times, $1.key) }.prefix(3)
                .map { Usage.SkippedStep(step: $0.key, text: $0.value.text, times: $0.value.times) }
            return Usage(runbook: slug, timesUsed: uses.count, medianCompletion: median, mostSkipped: Array(top))
        }
    }

    // MARK: Plumbing

    static func attachedPath(_ ref: IncidentRef) -> String {
        AttachedRunbook.path(besideIncident: ref.path)
    }

    static func incidentDocument(_ ref: IncidentRef, _ snapshot: Snapshot) throws -> IncidentDocument {
        guard let data = try snapshot.read(ref.path) else {
            throw OpsError.repository("\(ref.id) was deleted by another change; nothing was written")
        }
        return try IncidentDocument(text: UTF8Text.decode(data, path: ref.path), path: ref.path)
    }
}

extension String {
    /// The first letter in upper case: `model serving` → `Model serving`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
