import Foundation
import GitStore

/// The weekly Ops Review pack (docs/DESIGN.md §7): every figure of one ISO week in the team's zone, as
/// `pack.md`, `pack.html`, `incident_log.csv`, `metrics.json` and the charts as SVG files.
public struct ReviewPack: Sendable {
    public static let schemaVersion = 1
    public static let templatePath = "templates/review/pack.md"

    /// The files of every pack, in this order, before its charts (`*.svg`).
    static let namedFiles = ["pack.md", "pack.html", "incident_log.csv", "metrics.json"]

    /// True when `name` is a file a pack writes into `reviews/<week>/`.
    static func isPackFile(_ name: String) -> Bool { namedFiles.contains(name) || name.hasSuffix(".svg") }

    public var week: ISOWeek
    /// File name → contents, for `reviews/<week>/`.
    public var files: [(name: String, text: String)]
    /// Built after the week ended: its figures are final.
    var weekOver: Bool
    /// The moment its figures are the state of.
    var asOf: Date
    /// The headline figures, for the message to the reporting channel.
    var summary: [String]
}

/// Builds, writes and commits the weekly pack, and records what the meeting decided.
public struct ReviewService {
    let workspace: Workspace
    /// The `Ops-Action` of a pack's commit.
    static let packAction = "review.pack"

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// `2026-W47`, or the last complete week in the team's zone when `text` is nil.
    public func week(_ text: String?) throws -> ISOWeek {
        let zone = try workspace.config().timeZone
        guard let text else { return ISOWeek(containing: workspace.clock(), zone: zone).adding(weeks: -1, zone: zone) }
        guard let week = ISOWeek(text.trimmingCharacters(in: .whitespaces)) else {
            throw OpsError.input("'\(text)' is not an ISO week. Write it like 2026-W47 (weeks run 01 to 52, or 53 in some years)")
        }
        return week
    }

    /// What `ops review pack` did: where it wrote, and the commit (nil when nothing changed or
    /// when not committing).
    public struct Outcome: Sendable {
        public var week: ISOWeek
        public var folder: String
        public var files: [String]
        public var commit: String?
        public var committed: Bool
        /// The message the commit sent to the reporting channels, and what became of each.
        public var announced: [AnnouncementResult] = []
        /// Set when the pack on record for a week still running is as of a later moment than this
        /// run can see (another clone's clock runs ahead of this one's): that moment, in the
        /// team's zone. The pack was left as it is; while its week runs a pack only moves forward.
        public var newerOnRecord: String?
    }

    /// Builds the pack of `week` and writes it to `out` (default `reviews/<week>`, relative to the
    /// repository). Inside the repository it is one commit (`review.pack`), none when no byte
    /// changed; `commit: false`, or a folder outside the repository, only writes the files.
    /// `author` is asked for only when committing.
    public func write(week text: String?, out: String? = nil, commit: Bool = true, author: () throws -> Author) throws -> Outcome {
        let pack = try build(week: week(text))
        let folder = Workspace.absolute(out ?? "reviews/\(pack.week)", from: workspace.root)
        let root = workspace.root.hasSuffix("/") ? workspace.root : workspace.root + "/"
        let relative = folder.hasPrefix(root) ? String(folder.dropFirst(root.count)) : nil
        let names = pack.files.map(\.name)
        if commit, let relative, !relative.isEmpty {
            var due: [Announcement] = []
            var newer: Date?
            let id = try workspace.commit(action: Self.packAction, subject: "review pack \(pack.week)", author: author(), announcing: due) {
                snapshot in
                newer = nil
                if !pack.weekOver, let recorded = try Self.asOf(snapshot.read(relative + "/metrics.json")), recorded > pack.asOf {
                    newer = recorded
                    return []
                }
                due = try announcements(of: pack, folder: relative, snapshot: snapshot)
                return pack.files.map { .write(relative + "/" + $0.name, $0.text) }
            }
            var outcome = Outcome(week: pack.week, folder: folder, files: names, commit: id.map { "\($0)" }, committed: id != nil)
            if let newer { outcome.newerOnRecord = LocalTime.formatWithZone(newer, zone: try workspace.config().timeZone) }
            if id != nil { outcome.announced = NotifyService(workspace).announce(due) }
            return outcome
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in pack.files {
            try Data(file.text.utf8).write(to: URL(fileURLWithPath: folder + "/" + file.name))
        }
        return Outcome(week: pack.week, folder: folder, files: names, commit: nil, committed: false)
    }

    /// The `as_of` of a pack's metrics.json; nil when there is none or it does not read.
    static func asOf(_ metrics: Data?) -> Date? {
        guard let metrics, let object = try? JSONSerialization.jsonObject(with: metrics) as? [String: Any] else { return nil }
        return (object["as_of"] as? String).flatMap(Timestamp.parse)
    }

    /// What `ops review record` wrote.
    public struct Record: Sendable {
        public var decisions: [Decision]
        public var backlog: [BacklogItem]
    }

    /// Each decision the meeting took becomes an accepted decision linked to the week
    /// (`reviews: [2026-W47]`); each follow-up a backlog item from it (`source: review:2026-W47`).
    /// One commit per document, as `ops decision new` and `ops backlog add` make.
    public func record(
        week text: String, decisions: [String], backlog: [String], owner: String? = nil, due: String? = nil,
        tags: [String] = [], priority: String? = nil, author: Author
    ) throws -> Record {
        let week = try self.week(text)
        guard !decisions.isEmpty || !backlog.isEmpty else {
            throw OpsError.input(
                "nothing to record: ops review record --week \(week) --decision \"Freeze ops_copilot releases until Friday\" --backlog \"Add a canary for model deploys\""
            )
        }
        var result = Record(decisions: [], backlog: [])
        for title in decisions {
            var draft = DecisionService.Draft(title: title)
            draft.status = "accepted"
            draft.reviews = [week.description]
            draft.owner = owner
            draft.due = due
            draft.tags = tags
            result.decisions.append(try DecisionService(workspace).create(draft, author: author))
        }
        for title in backlog {
            var draft = BacklogService.Draft(title: title)
            draft.from = week.description
            draft.owner = owner
            draft.due = due
            draft.tags = tags
            draft.priority = priority
            result.backlog.append(try BacklogService(workspace).add(draft, author: author))
        }
        return result
    }

    // MARK: Building

    /// The pack of `week`, read from committed documents and the work tree's catalog and
    /// policies, as they stood at the week's end. Once the week is over nothing depends on the
    /// time it runs: "overdue" and budget status are judged at the end of the week, and what was
    /// recorded after it is left out, so the same inputs give the same bytes, however much later.
    public func build(week: ISOWeek) throws -> ReviewPack {
        let config = try workspace.config()
        let start = week.interval(in: config.timeZone).start
        guard start <= workspace.clock() else {
            throw OpsError.input(
                "\(week) has not begun (it starts \(LocalTime.formatWithZone(start, zone: config.timeZone))): a pack is for a week that has begun. Check the week, or leave --week out for the last complete one"
            )
        }
        let contents = try ReviewBuilder(workspace: workspace, config: config, week: week).build()
        let heading = contents.metrics.heading
        let context = try contents.metrics.templateContext(charts: contents.charts.map(\.name))
        var markdown = ReviewMarkdown.tidy(try TemplateRenderer.render(template(ReviewPack.templatePath), path: ReviewPack.templatePath, with: context))
        // Said in code, not the template, so a team's own template cannot lose it: these figures will still move.
        if !heading.weekOver {
            let moment =
                switch heading.basis {
                case .weekStart: "the week's start: nothing recorded since"
                case .now: "now: a change was recorded in the last minute"
                case .lastChange, .weekEnd: "a minute after the last change recorded"
                }
            markdown =
                "Week not over: figures as of \(heading.asOf.markdown) (\(config.timeZone.identifier)), \(moment); "
                + "build the pack again after the week ends for its final figures.\n\n" + markdown
        }
        let html = try ReviewHTML.render(
            markdown: markdown, charts: contents.charts, template: template(ReviewHTML.templatePath),
            values: ["week": week.description, "team": config.team])
        let json = try JSONOutput.render(contents.metrics)
        return ReviewPack(
            week: week,
            files: Array(zip(ReviewPack.namedFiles, [markdown, html, contents.incidentLog, json])) + contents.charts.map { ($0.name, $0.svg) },
            weekOver: heading.weekOver, asOf: heading.moment, summary: contents.metrics.summaryLines)
    }

    /// A template of `templates/review/`: the committed one, else the work tree's, else the starter kit's.
    func template(_ path: String) throws -> String {
        try workspace.committedText(path) ?? workspace.readWorkTreeFile(path) ?? StarterKit.text(String(path.dropFirst("templates/".count)))
    }
}
