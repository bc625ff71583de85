public import Foundation
import GitStore

/// `ops sync`: fetch the branch from a remote, take it in (fast-forward, or a merge commit with
/// a semantic merge of ops documents), push, and retry a bounded number of times when the
/// remote moved meanwhile. Never forces a push and never rewrites history.
public struct SyncService {
    let workspace: Workspace
    /// Runs just before each push. Tests use it to let another clone push first.
    var beforePush: (() throws -> Void)?

    /// How many fetch-merge-push rounds before giving up on a remote that keeps moving.
    public static let maximumAttempts = 5

    public init(_ workspace: Workspace) {
        self.workspace = workspace
    }

    /// How the branch took in the remote's commits.
    public enum Integration: String, Sendable, Equatable, Codable {
        /// The remote had nothing this clone lacked (or no branch yet).
        case upToDate = "up-to-date"
        case fastForwarded = "fast-forward"
        case merged
    }

    /// What a sync did.
    public struct Report: Sendable, Equatable, Codable {
        public var remote: String
        public var branch: String
        public var integration: Integration
        /// True when the remote now has this clone's commits (false: it had them already).
        public var pushed: Bool
        /// Fetch-merge-push rounds used (more than 1 when a push was rejected).
        public var attempts: Int
        /// Documents whose lines clashed: both versions are kept in a conflict block for a person.
        public var needsPerson: [String]
        /// Front-matter fields both sides changed; the later change was kept, the other noted.
        public var fieldConflicts: Int
        /// Values not kept in a document with no timeline of its own (a postmortem's fields):
        /// `path: key: kept …; not kept: …`, also in the merge commit's message.
        public var notKept: [String] = []
        /// Weeks whose review pack both sides built: built again from the merged history.
        public var rebuiltPacks: [String] = []
        /// Of those, weeks whose pack could not be built again (`ops review pack --week` says why).
        public var packsToRebuild: [String] = []

        enum CodingKeys: String, CodingKey {
            case remote, branch, integration, pushed, attempts, needsPerson = "needs_person", fieldConflicts = "field_conflicts",
                notKept = "not_kept", rebuiltPacks = "rebuilt_packs", packsToRebuild = "packs_to_rebuild"
        }
    }

    /// Where this clone stands against a remote, as of the last fetch.
    public struct Status: Sendable, Equatable, Codable {
        public var remote: String
        public var url: String
        public var branch: String
        /// Commits here that the remote lacks, and the other way round (nil: never fetched).
        public var ahead: Int?
        public var behind: Int?
        public var lastSync: Date?

        enum CodingKeys: String, CodingKey {
            case remote, url, branch, ahead, behind, lastSync = "last_sync"
        }
    }

    // MARK: Sync

    /// `progress` receives transfer progress lines, for a terminal.
    public func sync(remote: String = "origin", author: Author, progress: (@Sendable (String) -> Void)? = nil) throws -> Report {
        let repository = workspace.repository
        let (branch, endpoint) = try prepare(remote)
        // libgit2 calls a missing folder an "unsupported URL protocol"; say what is wrong instead.
        // A relative path is read from the top of the work tree, as Git reads it.
        if let path = endpoint.localPath, !FileManager.default.fileExists(atPath: Workspace.absolute(path, from: workspace.root)) {
            throw OpsError.repository(
                "remote path \(path) does not exist (remote '\(remote)'). Your commits are kept; point \(remote) at the shared repository (git remote set-url \(remote) PATH), or create one there: git init --bare \(path)"
            )
        }
        let short = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst(11)) : branch
        let access = endpoint.access(environment: workspace.environment, repositoryRoot: workspace.root, progress: progress)
        var report = Report(
            remote: remote, branch: short, integration: .upToDate, pushed: false, attempts: 0,
            needsPerson: [], fieldConflicts: 0)
        for attempt in 1...Self.maximumAttempts {
            report.attempts = attempt
            let fetched = try OpsError.wrapping { try repository.fetch(remote: remote, branch: short, access: access) }
            if let fetched {
                let outcome = try integrate(fetched, remote: remote, branch: short, author: author, into: &report)
                switch outcome {
                case .upToDate: break
                case .fastForwarded: if report.integration == .upToDate { report.integration = .fastForwarded }
                case .merged: report.integration = .merged
                }
            }
            guard let local = try OpsError.wrapping({ try repository.head().commit }), local != fetched else {
                recordSync(remote)
                return report
            }
            try beforePush?()
            switch try OpsError.wrapping({ try repository.push(remote: remote, branch: short, access: access) }) {
            case .pushed:
                report.pushed = true
                recordSync(remote)
                return report
            case .behind:
                continue  // the remote moved meanwhile: fetch, merge, and try again
            case .rejected(let reason):
                recordSync(remote)
                throw OpsError.repository(
                    "\(remote) refused the push of \(short): \(reason). Your commits are kept here; ask whoever runs \(remote) (a protected branch or a hook), then run ops sync again"
                )
            }
        }
        throw OpsError.repository(
            "\(remote) kept moving while ops tried to push; gave up after \(Self.maximumAttempts) attempts. Your commits are kept; run ops sync again")
    }

    /// The current branch and the remote's endpoint, or an error that says what to set up.
    private func prepare(_ remote: String) throws -> (branch: String, endpoint: RemoteEndpoint) {
        guard !remote.isEmpty, !remote.contains("\0"), !remote.hasPrefix("-") else {
            throw OpsError.input("'\(remote)' is not a remote name")
        }
        let head = try OpsError.wrapping { try workspace.repository.head() }
        guard let branch = head.branch else {
            throw OpsError.repository("HEAD is detached, so there is no branch to sync. Switch to a branch first (git switch main)")
        }
        guard let url = try OpsError.wrapping({ try workspace.repository.remoteURL(remote) }) else {
            throw OpsError.input("there is no remote named '\(remote)'. Add one with `git remote add \(remote) URL`, or pass --remote NAME")
        }
        return (branch, RemoteEndpoint(url))
    }

    private func integrate(
        _ theirs: ObjectID, remote: String, branch: String, author: Author,
        into report: inout Report
    ) throws -> MergeOutcome {
        let label = "\(remote)/\(branch)"
        var needsPerson: [String] = []
        var merged: [String] = []
        var fieldConflicts = 0
        var packs: Set<String> = []
        var notKept: [String] = []
        let outcome = try OpsError.wrapping {
            try workspace.repository.merge(
                theirs, author: workspace.signature(author),
                message: { _ in
                    var body = "ops sync merged \(merged.count) document\(merged.count == 1 ? "" : "s") changed on both sides"
                    if fieldConflicts > 0 {
                        body +=
                            "; \(fieldConflicts) field\(fieldConflicts == 1 ? "" : "s") changed on both sides, settled by the merge rules (docs/DESIGN.md §8) with the value not kept noted in the timeline"
                    }
                    if !needsPerson.isEmpty { body += ".\nNeeds a person (conflict blocks): " + needsPerson.joined(separator: ", ") }
                    if !notKept.isEmpty { body += ".\nNot kept, in a document with no timeline of its own:\n" + notKept.joined(separator: "\n") }
                    let trailers =
                        [Trailer("Ops-Action", "sync.merge"), Trailer("Ops-Remote", label)]
                        + needsPerson.map { Trailer("Ops-Conflict", $0) }
                    return CommitMessage(subject: "sync: merge \(label) into \(branch)", body: body, trailers: trailers)
                },
                resolve: { plan in
                    var merger = SyncMerger(plan: plan, ourLabel: "this clone", theirLabel: label)
                    // A repository without a committed ops.yaml: this clone's, as before.
                    merger.loadConfig = { text in try? text.map { try OpsConfig.load($0) } ?? workspace.config() }
                    let postmortems = PostmortemService(workspace)
                    merger.postmortemDraft = { incident, config, read in try postmortems.draft(for: incident, config: config, read: read) }
                    let result = try merger.resolve()
                    guard result.stuck.isEmpty else {
                        let files = result.stuck.joined(separator: ", ")
                        throw OpsError.repository(
                            "sync stopped before changing anything: \(files) changed here and on \(label) in ways that do not merge. Merge with Git: git pull --no-rebase \(remote) \(branch), fix \(result.stuck.count == 1 ? "that file" : "those files"), git commit, then run ops sync again"
                        )
                    }
                    needsPerson = result.needsPerson
                    merged = result.mergedDocuments
                    fieldConflicts = result.fieldConflicts
                    packs = result.packs
                    notKept = result.notKept
                    return result.resolved
                })
        }
        if case .merged = outcome {
            report.needsPerson = Array(Set(report.needsPerson + needsPerson)).sorted()
            report.fieldConflicts += fieldConflicts
            report.notKept += notKept
            rebuild(packs, author: author, into: &report)
        }
        return outcome
    }

    /// Builds again, from the merged history, each week's pack both sides had built (the merge
    /// took one side's files whole): its figures then count what both clones recorded.
    private func rebuild(_ weeks: Set<String>, author: Author, into report: inout Report) {
        for week in weeks.sorted() {
            do {
                _ = try ReviewService(workspace).write(week: week, author: { author })
                if !report.rebuiltPacks.contains(week) { report.rebuiltPacks.append(week) }
            } catch {
                if !report.packsToRebuild.contains(week) { report.packsToRebuild.append(week) }
            }
        }
    }

    // MARK: Status

    public func status(remote: String = "origin") throws -> Status {
        let (branch, endpoint) = try prepare(remote)
        let short = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst(11)) : branch
        var status = Status(remote: remote, url: endpoint.redacted, branch: short, ahead: nil, behind: nil, lastSync: lastSync(remote))
        let repository = workspace.repository
        if let tracking = try OpsError.wrapping({ try repository.trackingCommit(remote: remote, branch: short) }) {
            if let local = try OpsError.wrapping({ try repository.head().commit }) {
                let counts = try OpsError.wrapping { try repository.aheadBehind(local, tracking) }
                (status.ahead, status.behind) = (counts.ahead, counts.behind)
            } else {
                (status.ahead, status.behind) = (0, 0)
            }
        } else if try OpsError.wrapping({ try repository.head().commit }) != nil, lastSync(remote) != nil {
            (status.ahead, status.behind) = (0, 0)
        }
        return status
    }

    // MARK: Last sync time, in .git/ops/sync-state (one `remote<TAB>time` line per remote)

    private var statePath: String { workspace.gitDirectory + "/ops/sync-state" }

    private func lastSync(_ remote: String) -> Date? {
        guard let text = try? String(contentsOfFile: statePath, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, fields[0] == remote { return Timestamp.parse(String(fields[1])) }
        }
        return nil
    }

    private func recordSync(_ remote: String) {
        var lines = ((try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        lines.removeAll { $0.hasPrefix(remote + "\t") }
        lines.append(remote + "\t" + Timestamp.format(workspace.clock()))
        // The time of the last sync is for people; failing to note it must not fail the sync.
        AtomicFile.write(lines.sorted().joined(separator: "\n") + "\n", to: statePath)
    }
}

/// Settles every path both sides changed: ops documents by `DocumentMerge`, other files by Git's
/// line merge; what does not merge is listed as stuck and nothing is written.
struct SyncMerger {
    let plan: MergePlan
    let ourLabel: String
    let theirLabel: String
    /// The configuration of ops.yaml's text as merged (nil: the merged tree has no ops.yaml);
    /// nil when it does not read. Documents merge under it (severity ranks, the postmortem
    /// draft), not under the merging clone's, so every clone merges alike.
    var loadConfig: (String?) -> OpsConfig? = { _ in nil }
    /// The draft body `ops postmortem new` writes for the (merged) incident, from the files
    /// `read` gives (the merged tree's).
    var postmortemDraft: ((Incident, OpsConfig, @escaping (String) throws -> String?) throws -> String)?

    struct Result {
        var resolved: [String: MergeSide] = [:]
        var stuck: [String] = []
        var needsPerson: [String] = []
        var mergedDocuments: [String] = []
        var fieldConflicts = 0
        /// Weeks whose review pack both sides built, taken whole from one side: to build again.
        var packs: Set<String> = []
        /// Values lost in documents whose timeline is not their own (`path: key: kept …; not kept: …`).
        var notKept: [String] = []
    }

    /// Folders whose Markdown files are ops documents (front matter + body).
    static let documentFolders = ["incidents/", "decisions/", "backlog/", "runbooks/"]

    static func isDocument(_ path: String) -> Bool {
        path.hasSuffix(".md") && documentFolders.contains { path.hasPrefix($0) }
    }

    func resolve() throws -> Result {
        var result = Result()
        // Other files first: documents then merge under the merged ops.yaml.
        for candidate in plan.candidates where !Self.isDocument(candidate.path) { try settle(candidate, config: nil, into: &result) }
        let configText = try (result.resolved[OpsConfig.path].map(\.content) ?? plan.settledContent(of: OpsConfig.path))
        let config = loadConfig(configText.map { String(decoding: $0, as: UTF8.self) })
        // Postmortems last: their draft is made from the merged incident and checklist.
        let documents = plan.candidates.filter { Self.isDocument($0.path) }
        for candidate in documents where !Postmortem.isFile(candidate.path) { try settle(candidate, config: config, into: &result) }
        for candidate in documents where Postmortem.isFile(candidate.path) { try settle(candidate, config: config, into: &result) }
        return result
    }

    private func settle(_ candidate: MergeConflictCandidate, config: OpsConfig?, into result: inout Result) throws {
        if Self.isDocument(candidate.path), let side = try mergeDocument(candidate, config: config, into: &result) {
            result.resolved[candidate.path] = side
            return
        }
        if candidate.path == OnCallSchedule.path, let side = try mergeOnCall(candidate) {
            result.resolved[candidate.path] = side
            return
        }
        if let side = mergeSnapshot(candidate) {
            result.resolved[candidate.path] = side
            return
        }
        if let side = mergePack(candidate, into: &result) {
            result.resolved[candidate.path] = side
            return
        }
        if let side = try mergeLines(candidate) {
            result.resolved[candidate.path] = side
        } else {
            result.stuck.append(candidate.path)
        }
    }

    private func mergeDocument(_ candidate: MergeConflictCandidate, config: OpsConfig?, into result: inout Result) throws -> MergeSide? {
        // Changed on one side, deleted on the other: the changed document stays, nothing is lost.
        guard let ourData = candidate.ours.content else { return candidate.theirs }
        guard let theirData = candidate.theirs.content else { return candidate.ours }
        guard let ours = String(data: ourData, encoding: .utf8), let theirs = String(data: theirData, encoding: .utf8) else { return nil }
        let base = candidate.base.content.flatMap { String(data: $0, encoding: .utf8) }
        // Both sides in one order, whichever clone merges: the same file, conflict blocks included.
        let history = MergeSideHistory(plan: plan, path: candidate.path)
        let order = try history.sideOrder() ?? .init(oursFirst: true, first: ourLabel, second: theirLabel)
        let (first, second) = order.oursFirst ? (ours, theirs) : (theirs, ours)
        var merge = DocumentMerge(path: candidate.path, ourLabel: order.first, theirLabel: order.second)
        merge.severityRank = { name in config?.severity(named: name)?.rank }
        var (firstText, secondText) = (first, second)
        if Postmortem.isFile(candidate.path), let postmortemDraft, let config,
            let incident = try incident(of: candidate.path, resolved: result.resolved),
            let draft = try? postmortemDraft(
                incident, config,
                { [resolved = result.resolved, plan] path in
                    try (resolved[path]?.content ?? plan.settledContent(of: path)).map { String(decoding: $0, as: UTF8.self) }
                })
        {
            merge.generatedSections = PostmortemService.generatedSections(in: draft)
            if base == nil {
                // Drafted on both clones, each from its own copy of the incident: each side's
                // writing is carried from its own draft onto the merged one, then the two merge.
                merge.newDocumentBody = draft
                // Only from a draft ops made: a postmortem written by hand stays as it was written.
                let firstDraft = try history.firstVersion(ourSide: order.oursFirst, madeBy: PostmortemService.newAction)
                let secondDraft = try history.firstVersion(ourSide: !order.oursFirst, madeBy: PostmortemService.newAction)
                firstText = try Self.carried(firstText, from: firstDraft, onto: draft, path: candidate.path)
                secondText = try Self.carried(secondText, from: secondDraft, onto: draft, path: candidate.path)
            }
        }
        if base == nil, AttachedRunbook.isFile(candidate.path) {
            // A checklist attached on both clones: the copy before anyone ticked a box is the base
            // both grew from, so ticks on different steps merge instead of clashing whole.
            merge.newDocumentBody = try? AttachedRunbook.unticked(first, path: candidate.path)
        }
        let merged: DocumentMerge.Result
        do {
            merged = try merge.merge(base: base, ours: firstText, theirs: secondText) { key, firstSide in
                try history.changeTime(of: key, ourSide: firstSide == order.oursFirst)
            }
        } catch let error as OpsError where error.location != nil {
            // A side that does not read as a document (a hand edit gone wrong): merge its lines,
            // their breaks compared as LF and written back as the document merge chooses, so a
            // side that also turned the file to CRLF does not clash on every line.
            let newline = LineEnding.merged(base: base, ours: first, theirs: second)
            let lines = try GitRepository.mergeText(
                base: base.map { Data(LineEnding.lf($0).utf8) } ?? candidate.base.content,
                ours: Data(LineEnding.lf(first).utf8), theirs: Data(LineEnding.lf(second).utf8),
                ourLabel: order.first, theirLabel: order.second)
            if lines.hasConflicts { result.needsPerson.append(candidate.path) }
            result.mergedDocuments.append(candidate.path)
            let content = LineEnding.apply(newline, to: String(decoding: lines.content, as: UTF8.self))
            return MergeSide(content: Data(content.utf8), isExecutable: Self.mergedMode(candidate))
        }
        if merged.hasConflictBlock { result.needsPerson.append(candidate.path) }
        result.mergedDocuments.append(candidate.path)
        result.fieldConflicts += merged.fieldConflicts.count
        if Postmortem.isFile(candidate.path) {
            // Its timeline is the incident's, written from it: the values not kept are said here.
            result.notKept += merged.fieldConflicts.map { "\(candidate.path): \(DocumentMerge.note($0).text)" }
        }
        return MergeSide(content: Data(merged.text.utf8), isExecutable: Self.mergedMode(candidate))
    }

    /// `text` with its body's changes since `original` (what its side first wrote) made on
    /// `draft`'s body instead; `text` as it is when they clash, or a version is CRLF or unread.
    static func carried(_ text: String, from original: String?, onto draft: String, path: String) throws -> String {
        guard let original, ![text, original, draft].contains(where: { $0.contains("\r") }),
            var document = try? MarkdownDocument(text, path: path), let first = try? MarkdownDocument(original, path: path)
        else { return text }
        let lines = try GitRepository.mergeText(
            base: Data(first.body.utf8), ours: Data(document.body.utf8), theirs: Data(draft.utf8), ourLabel: "", theirLabel: "")
        guard !lines.hasConflicts else { return text }
        document.body = String(decoding: lines.content, as: UTF8.self)
        return document.text
    }

    /// Whether a merged file is executable: as the side that changed that from the base has it
    /// (for a file new on both sides, executable when either side made it so), the same on
    /// every clone.
    static func mergedMode(_ candidate: MergeConflictCandidate) -> Bool {
        let ours = candidate.ours.isExecutable, theirs = candidate.theirs.isExecutable
        guard candidate.base.content != nil else { return ours || theirs }
        return ours != candidate.base.isExecutable ? ours : theirs
    }

    /// The incident of the postmortem at `path`, as merged (candidates come sorted by path, so
    /// `incident.md` of the same folder is settled before `postmortem.md`). Nil when it does not
    /// read: then the postmortem merges as lines.
    private func incident(of path: String, resolved: [String: MergeSide]) throws -> Incident? {
        let incidentPath = (path as NSString).deletingLastPathComponent + "/incident.md"
        let content = try resolved[incidentPath].map(\.content) ?? plan.settledContent(of: incidentPath)
        guard let content, let text = String(data: content, encoding: .utf8) else { return nil }
        return try? Incident(MarkdownDocument(text, path: incidentPath))
    }

    /// oncall.yaml where each side only added overrides: both sides' overrides, those of the
    /// side whose change came first first, so every clone writes the same file. Nil otherwise,
    /// and the file goes to Git's line merge.
    private func mergeOnCall(_ candidate: MergeConflictCandidate) throws -> MergeSide? {
        guard let base = candidate.base.content.flatMap({ String(data: $0, encoding: .utf8) }),
            let ours = candidate.ours.content.flatMap({ String(data: $0, encoding: .utf8) }),
            let theirs = candidate.theirs.content.flatMap({ String(data: $0, encoding: .utf8) })
        else { return nil }
        let oursFirst = try MergeSideHistory(plan: plan, path: candidate.path).sideOrder()?.oursFirst ?? true
        let (first, second) = oursFirst ? (ours, theirs) : (theirs, ours)
        guard let merged = OnCallSchedule.mergingOverrides(base: base, ours: first, theirs: second) else { return nil }
        return MergeSide(content: Data(merged.utf8), isExecutable: Self.mergedMode(candidate))
    }

    /// A week of SLO snapshots both sides imported into (`ops slo import`, `ops checks run` on two
    /// clones): the readings and sources of both (`WeekSnapshot.merged`).
    private func mergeSnapshot(_ candidate: MergeConflictCandidate) -> MergeSide? {
        let path = candidate.path
        guard path.hasSuffix(".yaml"),
            let ours = candidate.ours.content.flatMap({ String(data: $0, encoding: .utf8) }),
            let theirs = candidate.theirs.content.flatMap({ String(data: $0, encoding: .utf8) })
        else { return nil }
        let merged: String?
        if path.hasPrefix(SnapshotLayout.signalsFolder + "/") {
            merged = SignalSnapshot.merged(ours: ours, theirs: theirs, path: path)
        } else if path.hasPrefix(SnapshotLayout.eventsFolder + "/") {
            merged = EventSnapshot.merged(ours: ours, theirs: theirs, path: path)
        } else {
            merged = nil
        }
        return merged.map { MergeSide(content: Data($0.utf8), isExecutable: Self.mergedMode(candidate)) }
    }

    /// A file of the review pack both sides built for a week (`reviews/<week>/pack.md`, …): made
    /// from the repository, so never merged as text. Each file comes whole from the side whose
    /// pack is as of the later moment (then the higher bytes, so both clones choose alike), and
    /// the week is listed for building again once the merge is made.
    private func mergePack(_ candidate: MergeConflictCandidate, into result: inout Result) -> MergeSide? {
        let parts = candidate.path.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[0] == "reviews", ISOWeek(parts[1]) != nil,
            ReviewPack.isPackFile(parts[2]),
            let ours = candidate.ours.content, let theirs = candidate.theirs.content
        else { return nil }
        let metrics = plan.candidates.first { $0.path == "reviews/\(parts[1])/metrics.json" }
        let ourMoment = ReviewService.asOf(metrics?.ours.content), theirMoment = ReviewService.asOf(metrics?.theirs.content)
        let takeOurs =
            ourMoment != theirMoment
            ? (ourMoment ?? .distantPast) > (theirMoment ?? .distantPast) : !ours.lexicographicallyPrecedes(theirs)
        result.packs.insert(parts[1])
        return takeOurs ? candidate.ours : candidate.theirs
    }

    /// Git's line merge of a file that is not an ops document; nil when it does not merge cleanly.
    private func mergeLines(_ candidate: MergeConflictCandidate) throws -> MergeSide? {
        guard let ours = candidate.ours.content, let theirs = candidate.theirs.content else { return nil }
        if [candidate.base.content, ours, theirs].contains(where: { $0?.contains(0) ?? false }) { return nil }  // binary
        let merged = try GitRepository.mergeText(
            base: candidate.base.content, ours: ours, theirs: theirs,
            ourLabel: ourLabel, theirLabel: theirLabel)
        guard !merged.hasConflicts else { return nil }
        return MergeSide(content: merged.content, isExecutable: Self.mergedMode(candidate))
    }
}

/// One document's versions on each side of a merge, walked and parsed once for all its fields
/// (a field's change time is asked for each field that differs).
final class MergeSideHistory {
    private struct Version {
        var frontMatter: YAMLText?
        var parents: [YAMLText?]
        var commit: ObjectID
        var time: Date
        var author: String
    }

    /// Which side a merge of the document puts first, and each side's conflict-block label.
    struct SideOrder {
        var oursFirst: Bool
        var first: String
        var second: String
    }

    private let plan: MergePlan
    private let path: String
    private var revisions: [Bool: [PathVersion]] = [:]
    private var sides: [Bool: [Version]] = [:]

    init(plan: MergePlan, path: String) {
        self.plan = plan
        self.path = path
    }

    /// When one side set `key` to the value it has now, and who: the newest commit since the
    /// merge base that brought that value in (no parent had it), so a merge that only carried the
    /// value along does not count as a change. Nil when no commit on that side set it.
    func changeTime(of key: String, ourSide: Bool) throws -> (time: Date, author: String)? {
        let versions = try self.versions(ourSide)
        guard let newest = versions.first else { return nil }
        func value(_ fields: YAMLText?) -> String? { FieldMerge.describe(key, fields?[key]) }
        let final = value(newest.frontMatter)
        let introduced = versions.first { version in
            value(version.frontMatter) == final && !version.parents.contains { value($0) == final }
        }
        return introduced.map { ($0.time, $0.author) }
    }

    /// The side whose last change to the document came first goes first (on a tie, the lower
    /// commit id), each labelled with who made that change, when, and in which commit: a conflict
    /// block reads the same on every clone, whichever of them merged. Nil when a side has no
    /// change of its own since the merge base.
    func sideOrder() throws -> SideOrder? {
        guard let ours = try versions(true).first, let theirs = try versions(false).first else { return nil }
        func label(_ version: Version) -> String { "\(version.author), \(Timestamp.format(version.time)), commit \(version.commit.short)" }
        let oursFirst = (ours.time, ours.commit.hex) <= (theirs.time, theirs.commit.hex)
        let (first, second) = oursFirst ? (ours, theirs) : (theirs, ours)
        return SideOrder(oursFirst: oursFirst, first: label(first), second: label(second))
    }

    /// The document as one side first wrote it since the merge base, when `action` wrote it
    /// (`postmortem.new`: the draft as ops made it); nil otherwise (written by hand, deleted).
    func firstVersion(ourSide: Bool, madeBy action: String) throws -> String? {
        guard let first = try revisions(ourSide).last, first.commit.trailer("Ops-Action") == action else { return nil }
        return first.content.map { String(decoding: $0, as: UTF8.self) }
    }

    /// One side's versions of the document since the merge base, newest first: walked once.
    private func revisions(_ ourSide: Bool) throws -> [PathVersion] {
        if let known = revisions[ourSide] { return known }
        let walked = try plan.revisions(of: path, onOurSide: ourSide)
        revisions[ourSide] = walked
        return walked
    }

    private func versions(_ ourSide: Bool) throws -> [Version] {
        if let known = sides[ourSide] { return known }
        func fields(_ content: Data?) -> YAMLText? {
            guard let content, let text = String(data: content, encoding: .utf8) else { return nil }
            return (try? MarkdownDocument(text, path: path))?.frontMatter
        }
        let versions = try revisions(ourSide).map { version in
            Version(
                frontMatter: fields(version.content), parents: version.parentContents.map(fields), commit: version.commit.id, time: version.time,
                author: version.author)
        }
        sides[ourSide] = versions
        return versions
    }
}
