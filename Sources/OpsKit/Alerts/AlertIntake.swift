public import Foundation
import GitStore
import Yams

/// `ops alert ingest`: firing alerts open incidents (one per fingerprint while unresolved),
/// re-sent payloads change nothing, resolved alerts are recorded in the timeline. People
/// resolve incidents, not alerts. One payload is one commit, or none when nothing is new.
public struct AlertIntake {
    let workspace: Workspace
    /// Who the timeline says opened the incidents and saw the alerts.
    var actor = Self.alertmanager
    /// The timeline's names for Alertmanager and for `ops checks run`, the openers that are not
    /// people: an incident one of them opened has no commander until someone acknowledges it.
    static let alertmanager = "alertmanager", checks = "checks"
    static let openers: Set<String> = [alertmanager, checks]
    /// A firing alert whose fingerprint an incident already carries, open or settled, adds
    /// nothing: for `ops checks run`, whose fingerprint names the check and the week, so a check
    /// pages once a week however often it runs, and not again once people resolved it.
    var oncePerFingerprint = false

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What one payload did.
    public struct Summary: Sendable, Equatable {
        public var opened: [String] = []
        public var updated: [String] = []
        /// Alerts already recorded (a re-sent payload).
        public var unchanged = 0
        /// The incidents those re-sent alerts are already in, each once (for log lines).
        public var absorbedInto: [String] = []
        /// Alerts that were not used, with why.
        public var skipped: [String] = []
        /// The names of the payload's alerts, sorted, each once (for log lines).
        public var alertNames: [String] = []
        /// The messages the incidents it opened announce, recorded with its commit.
        var announcements: [Announcement] = []
        /// The commit that holds what it changed (shared with the other deliveries of its batch);
        /// nil when it changed nothing.
        public var commit: String?

        mutating func absorb(into incident: String) {
            unchanged += 1
            if !absorbedInto.contains(incident) { absorbedInto.append(incident) }
        }
    }

    public func ingest(_ data: Data, source: String, author: Author) throws -> Summary {
        try ingest(AlertmanagerPayload.decode(data, source: source), author: author)
    }

    /// Sends what `summary`'s incidents announced, waiting at most `NotifyService.commandWait`;
    /// what is not sent by then stays in the outbox. `ops serve` leaves this to its drain.
    public func announce(_ summary: Summary) -> [AnnouncementResult] {
        NotifyService(workspace).announce(summary.announcements)
    }

    /// The same, for a payload already decoded and checked (`ops serve` checks it before it
    /// queues the delivery, so that only a bad payload gets a 4xx).
    func ingest(_ payload: AlertmanagerPayload, author: Author) throws -> Summary {
        try ingest([payload], author: author, index: FingerprintIndex())[0]
    }

    /// Several payloads in one commit, in order, each with its own summary, as if ingested one
    /// after the other (`ops serve`'s group commit: the deliveries that arrived while the last
    /// commit was written). `index` finds the incidents of their alerts; it is brought to the
    /// commit being built on before use, and to the new commit once it lands.
    func ingest(_ payloads: [AlertmanagerPayload], author: Author, index: FingerprintIndex) throws -> [Summary] {
        let config = try workspace.config()
        let runbooks = try runbookIndex()
        let routing = IncidentRouting.load(workspace, config: config)
        let incidents = IncidentService(workspace)
        let now = workspace.clock()
        var summaries = payloads.map { _ in Summary() }
        func subject() -> String {
            let opened = Set(summaries.flatMap(\.opened))
            let updated = Set(summaries.flatMap(\.updated)).subtracting(opened)
            var parts: [String] = []
            if !opened.isEmpty { parts.append("opened \(opened.count)") }
            if !updated.isEmpty { parts.append("updated \(updated.count)") }
            let from =
                payloads.count == 1
                ? "from \(payloads[0].receiver ?? "alertmanager")" : "of \(payloads.count) deliveries"
            return "alert ingest \(from): " + parts.joined(separator: ", ")
        }
        // Which incidents carry which alerts comes from the index (built through the parse cache,
        // keyed by blob id), so a delivery reads in full only the incidents of its own alerts.
        var cache = IncidentCache(gitDirectory: workspace.gitDirectory)
        var walked = false
        var written: [String: Incident] = [:]
        let commit = try workspace.commit(
            action: "alert.ingest", subject: subject(), ids: Self.ids(summaries), author: author,
            announcing: summaries.flatMap(\.announcements)
        ) { snapshot in
            summaries = payloads.map { _ in Summary() }
            walked = try index.refresh(snapshot, cache: &cache) || walked
            var documents: [String: IncidentDocument] = [:]
            // Runbook checklists attached to the incidents this batch opens, by path.
            var checklists: [String: String] = [:]
            var touched: Set<String> = []
            // Incidents opened in this commit, by the fingerprint of the alert that opened them.
            var openedHere: [String: String] = [:]
            func document(carrying fingerprint: String) throws -> IncidentDocument? {
                guard let path = openedHere[fingerprint] ?? index.newest(carrying: fingerprint) else { return nil }
                if let document = documents[path] { return document }
                guard let data = try snapshot.read(path),
                    let document = try? IncidentDocument(text: UTF8Text.decode(data, path: path), path: path)
                else { return nil }
                documents[path] = document
                return document
            }

            for (number, payload) in payloads.enumerated() {
                // The incidents this delivery changed, and those it opened (not "updated" as well).
                var mine: Set<String> = []
                var openedByMe: Set<String> = []
                for alert in payload.alerts {
                    let fingerprint = alert.fingerprint!
                    let current = try document(carrying: fingerprint)
                    if alert.status == "firing" {
                        if oncePerFingerprint, let document = current {
                            summaries[number].absorb(into: document.incident.id)
                            continue
                        }
                        if var document = current, !document.incident.isSettled {
                            let entry = firingEntry(alert, at: now)
                            if document.incident.timeline.contains(where: { $0.kind == "alert" && $0.text.hasPrefix(firingKey(alert)) }) {
                                summaries[number].absorb(into: document.incident.id)
                                continue
                            }
                            try document.append(entry)
                            documents[document.incident.path] = document
                            touched.insert(document.incident.path)
                            mine.insert(document.incident.path)
                            continue
                        }
                        let new = try newIncident(
                            for: alert, config: config, routing: routing, runbooks: runbooks, author: author, now: now, incidents: incidents)
                        let path = new.path
                        var document = new.document
                        try document.append(firingEntry(alert, at: now))
                        documents[path] = document
                        if let checklist = new.checklist { checklists[checklist.path] = checklist.text }
                        touched.insert(path)
                        openedByMe.insert(path)
                        openedHere[fingerprint] = path
                        summaries[number].opened.append(document.incident.id)
                        summaries[number].announcements += IncidentAnnouncements.of(before: nil, after: document.incident, config: config)
                    } else {
                        guard var document = current else {
                            summaries[number].skipped.append("\(alert.name) [\(fingerprint)] resolved, but no incident was opened for it")
                            continue
                        }
                        if document.incident.timeline.contains(where: { $0.kind == "alert" && $0.text.hasPrefix(resolvedKey(alert)) }) {
                            summaries[number].absorb(into: document.incident.id)
                            continue
                        }
                        // Recorded when ops learns of it, so the timeline stays in order; the text keeps the alert's own time.
                        try document.append(TimelineEntry(at: now, actor: actor, kind: "alert", text: resolvedKey(alert)))
                        documents[document.incident.path] = document
                        touched.insert(document.incident.path)
                        mine.insert(document.incident.path)
                    }
                }
                summaries[number].updated = mine.subtracting(openedByMe).compactMap { documents[$0]?.incident.id }.sorted()
            }
            written = Dictionary(uniqueKeysWithValues: touched.map { ($0, documents[$0]!.incident) })
            return touched.sorted().map { .write($0, documents[$0]!.text) } + checklists.keys.sorted().map { .write($0, checklists[$0]!) }
        }
        if let commit {
            index.landed(written, tree: try workspace.committedEntryID(IncidentLocator.folder, at: commit))
            for number in summaries.indices where !summaries[number].opened.isEmpty || !summaries[number].updated.isEmpty {
                summaries[number].commit = commit.hex
            }
        }
        // Only new parses are saved; the tree is left unrecorded, so listings walk it once more.
        if walked, cache.changed { cache.save(keeping: index.files, tree: nil) }
        for (number, payload) in payloads.enumerated() {
            summaries[number].alertNames = Set(payload.alerts.map(\.name)).sorted()
        }
        return summaries
    }

    /// Brings `index` to HEAD before the first delivery (`ops serve` at start), so that the
    /// first ones do not wait for every incident to be read. Returns how many incidents it knows.
    func prepare(_ index: FingerprintIndex) throws -> Int {
        var cache = IncidentCache(gitDirectory: workspace.gitDirectory)
        _ = try OpsError.wrapping { try index.refresh(try workspace.repository.headSnapshot(), cache: &cache) }
        if cache.changed { cache.save(keeping: index.files, tree: nil) }
        return index.files.count
    }

    /// The `Ops-Id` trailers of a commit: every incident it opened or updated, each once.
    private static func ids(_ summaries: [Summary]) -> [String] {
        var seen = Set<String>()
        return summaries.flatMap { $0.opened + $0.updated }.filter { seen.insert($0).inserted }
    }

    // MARK: One alert

    private func newIncident(
        for alert: AlertmanagerPayload.Alert, config: OpsConfig, routing: IncidentRouting, runbooks: [String: [String]], author: Author,
        now: Date, incidents: IncidentService
    ) throws -> IncidentService.NewIncident {
        // An alert is never refused for its wording: a long summary is cut to the title limit.
        let title = InputLimits.clipped(IncidentService.printable(alert.annotations?["summary"] ?? alert.name))
        var notes: [String] = []
        let severityLabel = alert.labels["severity"] ?? ""
        let severity: String
        if let level = config.severity(named: severityLabel) {
            severity = level.id
        } else {
            severity = config.severities.last?.id ?? "SEV4"
            notes.append(
                severityLabel.isEmpty
                    ? "the alert has no severity label; opened as \(severity)"
                    : "severity label '\(severityLabel)' is not in ops.yaml; opened as \(severity)")
        }
        let candidates = ["service", "use_case", "app", "job"].compactMap { alert.labels[$0] }
        let service: String
        if config.services.isEmpty {
            service = candidates.first { OpsConfigChecks.isName($0) } ?? "unknown"
        } else if let known = candidates.lazy.compactMap({ config.service(named: $0) }).first {
            service = known.name
        } else {
            service = config.services[0].name
            let seen = candidates.isEmpty ? "it has no service, use_case, app or job label" : "its labels name \(candidates.joined(separator: ", "))"
            notes.append("no service in ops.yaml matches this alert (\(seen)); filed under \(service), the first service listed")
        }
        var request = IncidentService.OpenRequest(title: title, severity: severity, service: service)
        request.useCase = alert.labels["use_case"].flatMap { label in config.useCases.first { $0 == label } }
        // Alertmanager's clock may run ahead of this machine's; detection cannot follow opening.
        request.detectedAt = min(alert.startedAt, now)
        request.openedAt = now
        request.alerts = [alert.fingerprint!]
        request.runbook = runbook(for: alert, in: runbooks)
        request.labels = alert.labels
        var new: IncidentService.NewIncident
        do {
            new = try incidents.newIncident(request, author: author, actor: actor, openedByAlert: true, force: false, config: config, routing: routing)
        } catch let error as OpsError where request.runbook != nil {
            // A runbook that does not read must not keep the alert out: open without its checklist, and say why.
            notes.append("runbook \(request.runbook!) not attached: \(error.message)")
            request.runbook = nil
            new = try incidents.newIncident(request, author: author, actor: actor, openedByAlert: true, force: false, config: config, routing: routing)
        }
        for note in notes {
            try new.document.append(TimelineEntry(at: now, actor: actor, kind: "note", text: note))
        }
        return new
    }

    private func firingKey(_ alert: AlertmanagerPayload.Alert) -> String {
        "firing \(alert.name) [\(alert.fingerprint!)] since \(Timestamp.format(alert.startedAt))"
    }

    private func resolvedKey(_ alert: AlertmanagerPayload.Alert) -> String {
        "resolved \(alert.name) [\(alert.fingerprint!)] at \(Timestamp.format(alert.endedAt ?? alert.startedAt))"
    }

    private func firingEntry(_ alert: AlertmanagerPayload.Alert, at now: Date) -> TimelineEntry {
        let summary = alert.annotations?["summary"].map { ": \($0)" } ?? ""
        return TimelineEntry(at: now, actor: actor, kind: "alert", text: IncidentService.printable(firingKey(alert) + summary))
    }

    /// The runbook an alert names (its `runbook` or `runbook_url` annotation, by file name),
    /// else the runbook whose triggers list the alert's name.
    private func runbook(for alert: AlertmanagerPayload.Alert, in runbooks: [String: [String]]) -> String? {
        for key in ["runbook", "runbook_url"] {
            guard let link = alert.annotations?[key], !link.isEmpty else { continue }
            let last = (link.split(separator: "/").last.map(String.init) ?? link)
            let slug = last.hasSuffix(".md") ? String(last.dropLast(3)) : last
            if runbooks[slug] != nil { return slug }
        }
        return runbooks.keys.sorted().first { runbooks[$0]!.contains(alert.name) }
    }

    /// Runbook slug → the alert names in its `triggers`.
    private func runbookIndex() throws -> [String: [String]] {
        var index: [String: [String]] = [:]
        for file in try workspace.committedFiles(under: "runbooks") where file.path.hasSuffix(".md") {
            let slug = String((file.path as NSString).lastPathComponent.dropLast(3))
            let document = try? MarkdownDocument(workspace.text(of: file), path: file.path)
            let triggers = document?.frontMatter?["triggers"]?.array() ?? []
            index[slug] = triggers.compactMap { $0["alert"]?.string }
        }
        return index
    }
}
