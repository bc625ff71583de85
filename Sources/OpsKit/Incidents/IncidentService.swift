public import Foundation
import GitStore
import Yams

/// The incident lifecycle: each change is one commit that updates the front matter and
/// appends to the timeline. Errors say what to do; nothing is written when one is thrown.
public struct IncidentService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What `ops incident open` needs.
    public struct OpenRequest: Sendable {
        public var title: String
        public var severity: String
        public var service: String
        public var useCase: String?
        public var commander: String?
        public var startedAt: Date?
        public var detectedAt: Date?
        public var openedAt: Date?
        public var tags: [String] = []
        public var runbook: String?
        public var alerts: [String] = []
        /// The labels of the alert that opened it, for routing (oncall.yaml `routes`).
        public var labels: [String: String] = [:]

        public init(title: String, severity: String, service: String) {
            self.title = title
            self.severity = severity
            self.service = service
        }
    }

    /// A change to an existing incident.
    public enum Change: Sendable {
        case move(to: IncidentStatus)
        case reopen
        case note(String)
        /// A stakeholder update: in the timeline, and announced in the incident's channel.
        case update(String)
        case assign(role: String, person: String)
        case severity(String)
        case correct(ClockPoint)
    }

    /// What a change did: the incident as it is now, and whether a commit was made
    /// (false when it was already so, such as acknowledging twice).
    public struct Outcome: Sendable {
        public var incident: Incident
        public var committed: Bool
        /// Why nothing was committed, for the person.
        public var unchanged: String?
        /// What the person should know although the change was made (closing without a postmortem).
        public var warnings: [String] = []
        /// The messages the change sent to the incident's channel, or left in the outbox.
        public var announced: [AnnouncementResult] = []
    }

    /// What opening did: the incident, and what became of its announcement.
    public struct Opened: Sendable {
        public var incident: Incident
        public var announced: [AnnouncementResult]
    }

    // MARK: Open

    public func open(_ request: OpenRequest, author: Author, force: Bool = false) throws -> Incident {
        try openAndAnnounce(request, author: author, force: force).incident
    }

    /// Opens the incident and tells its channel (the route's), waiting for that at most
    /// `NotifyService.commandWait`; a message not sent by then stays in the outbox.
    public func openAndAnnounce(_ request: OpenRequest, author: Author, force: Bool = false) throws -> Opened {
        let config = try workspace.config()
        let routing = IncidentRouting.load(workspace, config: config)
        let new = try newIncident(request, author: author, actor: author.handle, force: force, config: config, routing: routing)
        if !force, let twin = IncidentTwins.openTwin(of: new.document.incident, among: IncidentTwins.candidates(near: new.document.incident, in: workspace)) {
            let opened = LocalTime.formatWithZone(twin.clock[.opened]!, zone: config.timeZone)
            let short = ShortName.incident(twin.id)
            throw OpsError.input(
                "\(twin.id) is already \(twin.status.rawValue) on \(twin.service ?? "-"): \"\(IncidentRendering.oneLine(twin.title, limit: 60))\", "
                    + "opened \(opened). Add to it (ops incident note \(short) \"...\"), or open another anyway with --force")
        }
        let id = new.document.incident.id
        let announcements = IncidentAnnouncements.of(before: nil, after: new.document.incident, config: config)
        try workspace.commit(
            action: "incident.open", id: id, subject: subject("open", id, new.document.incident.title),
            author: author, announcing: announcements
        ) { snapshot in
            if try snapshot.read(new.path) != nil { throw OpsError.repository("\(id) exists already; run the command again") }
            return new.changes
        }
        return Opened(incident: new.document.incident, announced: NotifyService(workspace).announce(announcements))
    }

    /// A new incident's files, not yet committed: incident.md, and the runbook's checklist when
    /// the request names one (attached as `ops runbook attach` would, in the same commit).
    struct NewIncident {
        var path: String
        var document: IncidentDocument
        var checklist: RunbookService.Attachment?

        var changes: [FileChange] { [.write(path, document.text)] + (checklist.map { [.write($0.path, $0.text)] } ?? []) }
    }

    /// A new incident, checked against ops.yaml and routed by oncall.yaml, not yet committed.
    /// `actor` is who the timeline says opened it. The person who opens one leads it unless
    /// `request` names a commander; one an alert opens has none until someone acknowledges it,
    /// whoever the alerts are committed as (`--as Alertmanager` is not a person).
    func newIncident(
        _ request: OpenRequest, author: Author, actor: String, openedByAlert: Bool = false, force: Bool,
        config: OpsConfig, routing: IncidentRouting
    ) throws -> NewIncident {
        try rejectNul(request.title, "title")
        let title = Self.printable(request.title.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !title.isEmpty else {
            throw OpsError.input("the title is empty. Say what is broken: ops incident open \"Checkout p99 above 1.2s\" --sev SEV2 --service checkout")
        }
        try InputLimits.checkTitle(title, hint: "put the detail in a note: ops incident note ID \"...\"")
        try rejectNul(title, "title")
        let severity = try config.severityID(named: request.severity)
        let service = try config.serviceName(named: request.service)
        let useCase = try config.useCaseName(named: request.useCase, service: service)
        let commander = try request.commander.map { try config.personHandle(named: $0) } ?? (openedByAlert ? nil : author.handle)
        let tags = try request.tags.map { try OpsConfig.incidentTag($0) }
        let runbook = try request.runbook.map { try RunbookService(workspace).slug(named: $0) }
        let opened = request.openedAt ?? workspace.clock()

        var clock: [ClockPoint: Date] = [.opened: opened]
        clock[.started] = request.startedAt
        clock[.detected] = request.detectedAt
        if !force { try checkOrder(clock, changed: [.started, .detected, .opened], config) }

        let id = workspace.makeID(kind: "INC", at: opened)
        let path = IncidentLocator.path(for: id)
        var fields: [(String, Node)] = [
            ("id", .text(id.description)), ("title", .text(title)), ("severity", .text(severity)), ("status", .text("open")),
            ("service", .text(service)),
        ]
        if let useCase { fields.append(("use_case", .text(useCase))) }
        if let commander { fields.append(("commander", .text(commander))) }
        let (page, paged) = routing.page(
            alert: request.labels, service: service, severity: severity, useCase: useCase, at: opened, config: config)
        if let page {
            if let person = page.person { fields.append(("oncall", .text(person))) }
            fields += [("rotation", .text(page.rotation)), ("channel", .text(page.channel))]
        }
        if !tags.isEmpty { fields.append(("tags", .list(tags))) }
        if let runbook { fields.append(("runbook", .text(runbook))) }
        if !request.alerts.isEmpty { fields.append(("alerts", .list(request.alerts))) }
        for point in [ClockPoint.started, .detected, .opened] {
            if let date = clock[point] { fields.append((point.key, .timestamp(date))) }
        }
        let body = try incidentBody(title: title, severity: severity, service: service)
        var document = try IncidentDocument(MarkdownDocument.make(path: path, fields: fields, body: body))
        try document.append(TimelineEntry(at: opened, actor: actor, kind: "opened", text: "\(severity) on \(service)"))
        if let paged { try document.append(paged) }
        let checklist = try runbook.map { slug in
            try RunbookService(workspace).attachment(slug, to: IncidentRef(id: id.description, path: path), at: opened, by: actor)
        }
        if let checklist { try document.append(checklist.entry) }
        return NewIncident(path: path, document: document, checklist: checklist)
    }

    // MARK: Changes

    public func change(_ input: String, _ change: Change, at: Date?, force: Bool = false, author: Author) throws -> Outcome {
        let config = try workspace.config()
        let now = workspace.clock()
        let action: String
        switch change {
        case .move(let target): action = Self.verb(for: target)
        case .reopen: action = "reopen"
        case .note: action = "note"
        case .update: action = "update"
        case .assign: action = "assign"
        case .severity: action = "sev"
        case .correct: action = "correct"
        }
        // Inputs that do not depend on the incident are checked before anything is read.
        var resolvedChange = change
        switch change {
        case .note(let text):
            try InputLimits.checkNote(text)
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw OpsError.input("the note is empty. Write what happened: ops incident note ID \"Rolled back v42\"") }
            try rejectNul(trimmed, "note")
            resolvedChange = .note(Self.printable(trimmed))
        case .update(let text):
            try InputLimits.checkNote(text)
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else {
                throw OpsError.input("the update is empty. Write what stakeholders should know: ops incident update ID \"Rolled back; errors falling\"")
            }
            try rejectNul(trimmed, "update")
            resolvedChange = .update(Self.printable(trimmed))
        case .assign(let role, let person):
            resolvedChange = .assign(role: try config.roleName(named: role), person: try config.personHandle(named: person))
        case .severity(let name):
            resolvedChange = .severity(try config.severityID(named: name))
        case .correct:
            guard at != nil else { throw OpsError.input("give the corrected time with --at, e.g. --at 14:02") }
        default:
            break
        }
        var outcome = try mutate(input, action: action, author: author, announcing: config) { document in
            try apply(resolvedChange, to: &document, at: at, now: now, force: force, author: author, config: config)
        }
        if case .move(to: .closed) = change, outcome.committed, let warning = try missingPostmortem(outcome.incident, config) {
            outcome.warnings.append(warning)
        }
        return outcome
    }

    /// Closing an incident whose severity ops.yaml says needs a postmortem, before one exists:
    /// closing is still right (follow-up may live elsewhere), but the gap should be seen.
    private func missingPostmortem(_ incident: Incident, _ config: OpsConfig) throws -> String? {
        guard let days = config.postmortemDeadlines[incident.severity],
            try workspace.committedEntryID(PostmortemService.path(for: incident.path)) == nil
        else { return nil }
        let short = ShortName.incident(incident.id)
        return "\(incident.id) is \(incident.severity) and has no postmortem; ops.yaml wants one within \(days) business day\(days == 1 ? "" : "s") "
            + "of resolution. Write it: ops postmortem new \(short)"
    }

    /// Replaces an incident's file with an edited version (`ops incident edit`), after checking it.
    public func replace(_ input: String, with text: String, force: Bool = false, author: Author) throws -> Outcome {
        let config = try workspace.config()
        let now = workspace.clock()
        return try mutate(input, action: "edit", author: author) { document in
            let before = document.incident
            let beforeFields = document.document.frontMatter
            var edited = try IncidentDocument(text: text, path: before.path)
            guard edited.incident.id == before.id else {
                throw OpsError.file(
                    before.path, line: edited.document.frontMatter?.line(of: "id"),
                    "the id must stay \(before.id); it names the folder")
            }
            if !force { try checkOrder(edited.incident.clock, changed: Set(ClockPoint.allCases), config) }
            // The same checks as `ops lint`, so an edit cannot commit what lint would reject.
            let orderProblems = Set(edited.incident.clockOrderViolations.map(\.later.key))
            if let problem = Incident.lint(before.path, text, config).first(where: { problem in
                !(force && orderProblems.contains { problem.message.hasPrefix($0) })
            }) {
                throw OpsError(.input, problem.message, at: problem.location)
            }
            let changed = Incident.fieldOrder.filter { key in
                beforeFields?[key] != edited.document.frontMatter?[key]
            }
            guard edited.text != document.text else { return "the file was saved without a change" }
            if !changed.isEmpty {
                try edited.append(TimelineEntry(at: now, actor: author.handle, kind: "edited", text: changed.joined(separator: ", ")))
            }
            document = edited
            return nil
        }
    }

    /// The incident `input` names, as committed.
    public func find(_ input: String) throws -> Incident {
        let (ref, text) = try self.text(of: input)
        return try Incident(MarkdownDocument(text, path: ref.path))
    }

    /// The file of the incident `input` names, as committed (for `ops incident edit`).
    public func text(of input: String) throws -> (ref: IncidentRef, text: String) {
        let ref = try IncidentLocator.locate(input, in: workspace)
        guard let text = try workspace.committedText(ref.path) else { throw OpsError.input("no incident matches '\(input)'") }
        return (ref, text)
    }

    // MARK: Applying one change

    /// Applies `change`; returns why nothing changed, or nil when the document changed.
    private func apply(
        _ change: Change, to document: inout IncidentDocument, at: Date?, now: Date, force: Bool,
        author: Author, config: OpsConfig
    ) throws -> String? {
        let incident = document.incident
        let when = at ?? now
        func local(_ date: Date) -> String { LocalTime.formatWithZone(date, zone: config.timeZone) }
        switch change {
        case .move(let target):
            let point = target.clockPoint
            if incident.status == .closed && target != .closed {
                throw OpsError.input("\(incident.id) is closed. Reopen it first: ops incident reopen \(incident.id)")
            }
            if let old = incident.clock[point] {
                guard let at else {
                    return "\(incident.id) was already \(target.rawValue) at \(local(old)). To correct that time, add --at"
                }
                return try correct(point, to: at, in: &document, force: force, now: now, author: author, config: config)
            }
            try document.setTime(point, when)
            if target > incident.status { try document.setText("status", target.rawValue) }
            if !force { try checkOrder(document.incident.clock, changed: [point], config) }
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: target.rawValue))
            // An incident an alert opened has no commander until someone takes it. (ops before
            // 2026-12-07 named the alert's sender commander when alerts were committed as it.)
            if target == .acknowledged, incident.commander.map(AlertIntake.openers.contains) ?? true {
                try document.setText("commander", author.handle)
                try document.append(TimelineEntry(at: when, actor: author.handle, kind: "assigned", text: "commander: \(author.handle)"))
            }
        case .reopen:
            guard incident.status >= .resolved else {
                throw OpsError.input("\(incident.id) is \(incident.status.rawValue); only a resolved or closed incident can be reopened")
            }
            // Impact is back: the mitigation and resolution no longer hold. The timeline keeps them.
            for point in [ClockPoint.mitigated, .resolved, .closed] { try document.setTime(point, nil) }
            try document.setText("status", incident.clock[.acknowledged] != nil ? "acknowledged" : "open")
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: "reopened", text: "(was \(incident.status.rawValue))"))
        case .note(let text):
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: "note", text: text))
        case .update(let text):
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: "update", text: text))
        case .assign(let role, let person):
            if role == "commander" {
                if incident.commander == person { return "\(person) is already commander of \(incident.id)" }
                try document.setText("commander", person)
            } else {
                if incident.roles.contains(where: { $0.role == role && $0.person == person }) {
                    return "\(person) is already \(role) of \(incident.id)"
                }
                var roles = incident.roles
                if let index = roles.firstIndex(where: { $0.role == role }) { roles[index].person = person } else { roles.append((role, person)) }
                try document.set("roles", .pairs(roles.map { ($0.role, $0.person) }))
            }
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: "assigned", text: "\(role): \(person)"))
        case .severity(let level):
            if incident.severity == level { return "\(incident.id) is already \(level)" }
            try document.setText("severity", level)
            try document.append(TimelineEntry(at: when, actor: author.handle, kind: "severity", text: "\(incident.severity) → \(level)"))
        case .correct(let point):
            // Correcting records a time learned later; reaching a new status is its own command.
            if let status = IncidentStatus.allCases.first(where: { $0.clockPoint == point }), status > incident.status {
                throw OpsError.input(
                    "\(incident.id) is \(incident.status.rawValue), not \(status.rawValue) yet. Use: ops incident \(Self.verb(for: status)) \(incident.id) --at TIME"
                )
            }
            return try correct(point, to: when, in: &document, force: force, now: now, author: author, config: config)
        }
        return nil
    }

    /// Sets a clock point to a corrected time; the timeline keeps the old and the new.
    private func correct(
        _ point: ClockPoint, to date: Date, in document: inout IncidentDocument, force: Bool, now: Date,
        author: Author, config: OpsConfig
    ) throws -> String? {
        let old = document.incident.clock[point]
        if old == date { return "\(point.key) of \(document.incident.id) is already \(LocalTime.formatWithZone(date, zone: config.timeZone))" }
        try document.setTime(point, date)
        if !force { try checkOrder(document.incident.clock, changed: [point], config) }
        let was = old.map(Timestamp.format) ?? "unset"
        try document.append(
            TimelineEntry(
                at: now, actor: author.handle, kind: "corrected",
                text: "\(point.key) \(was) → \(Timestamp.format(date))"))
        return nil
    }

    // MARK: Plumbing

    /// Reads the incident in the commit being built, lets `edit` change it, and commits. With
    /// `announcing` (ops.yaml), the events the change adds to the timeline are announced in the
    /// incident's channel (`IncidentAnnouncements`); a hand edit announces nothing, since an
    /// entry it rewords would read as new.
    private func mutate(
        _ input: String, action: String, author: Author, announcing config: OpsConfig? = nil,
        _ edit: (inout IncidentDocument) throws -> String?
    ) throws -> Outcome {
        let ref = try IncidentLocator.locate(input, in: workspace)
        var result: Incident?
        var unchanged: String?
        var announcements: [Announcement] = []
        // The subject and the announcements are read after the build, from the file just read.
        let commit = try workspace.commit(
            action: "incident.\(action)", id: ref.id, subject: subject(action, ref.id, result?.title ?? ""),
            author: author, announcing: announcements
        ) { snapshot in
            guard let data = try snapshot.read(ref.path) else {
                throw OpsError.repository("\(ref.id) was deleted by another change; nothing was written")
            }
            var document = try IncidentDocument(text: UTF8Text.decode(data, path: ref.path), path: ref.path)
            let before = document.incident
            unchanged = try edit(&document)
            result = document.incident
            announcements = config.map { IncidentAnnouncements.of(before: before, after: document.incident, config: $0) } ?? []
            return unchanged == nil ? [.write(ref.path, document.text)] : []
        }
        let announced = commit == nil ? [] : NotifyService(workspace).announce(announcements)
        return Outcome(incident: result!, committed: commit != nil, unchanged: unchanged, announced: announced)
    }

    func subject(_ action: String, _ id: String, _ title: String) -> String {
        let line = title.replacingOccurrences(of: "\n", with: " ")
        let head = "incident \(action) \(id): "
        return head + (line.count > 72 - head.count ? String(line.prefix(71 - head.count)) + "…" : line)
    }

    static func verb(for status: IncidentStatus) -> String {
        switch status {
        case .open: return "open"
        case .acknowledged: return "ack"
        case .mitigated: return "mitigate"
        case .resolved: return "resolve"
        case .closed: return "close"
        }
    }

    private func incidentBody(title: String, severity: String, service: String) throws -> String {
        let path = "templates/incident.md"
        let template = try workspace.committedText(path) ?? String(decoding: StarterKit.templates.first { $0.name == "incident.md" }!.bytes, as: UTF8.self)
        let heading = title.components(separatedBy: .newlines).joined(separator: " ")
        var body = try TemplateRenderer.render(template, path: path, with: ["title": heading, "severity": severity, "service": service])
        if !body.hasSuffix("\n") { body += "\n" }
        return body
    }

    // MARK: Checking input against ops.yaml

    func checkOrder(_ clock: [ClockPoint: Date], changed: Set<ClockPoint>, _ config: OpsConfig) throws {
        let present = ClockPoint.allCases.compactMap { point in clock[point].map { (point, $0) } }
        for (i, earlier) in present.enumerated() {
            for later in present[(i + 1)...] where later.1 < earlier.1 && (changed.contains(earlier.0) || changed.contains(later.0)) {
                let zone = config.timeZone
                // Same minute: show seconds, or the message would read "14:37 is before 14:37".
                let sameMinute = LocalTime.format(later.1, zone: zone) == LocalTime.format(earlier.1, zone: zone)
                func time(_ date: Date) -> String {
                    sameMinute
                        ? LocalTime.format(date, zone: zone) + String(format: ":%02d", Int(date.timeIntervalSince1970) % 60)
                        : LocalTime.format(date, zone: zone)
                }
                throw OpsError.input(
                    "\(later.0.key) \(time(later.1)) would be before \(earlier.0.key) \(time(earlier.1)) (\(zone.identifier)). Check the time, or add --force to record it anyway"
                )
            }
        }
    }

    func rejectNul(_ text: String, _ what: String) throws {
        if text.contains("\0") { throw OpsError.input("the \(what) contains a NUL byte") }
    }

    /// Text as typed, minus control characters (terminal escapes from pasted output or alert
    /// payloads) that would act on the terminal of whoever reads the file. Line breaks and tabs stay.
    static func printable(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    let value = scalar.value
                    let control = (value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r") || (0x7F...0x9F).contains(value)
                    return control ? "\u{FFFD}" : scalar
                }))
    }
}
