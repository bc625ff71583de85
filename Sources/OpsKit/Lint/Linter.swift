import Foundation

/// `ops lint`: checks every document in the work tree and lists what is wrong, with file:line.
public enum Linter {
    /// A check of one kind of file. Each document type adds its own.
    public struct Rule: Sendable {
        public var folder: String
        public var extensions: Set<String>
        public var check: @Sendable (_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem]
    }

    /// Front matter must parse in every Markdown document; YAML files must parse.
    static let rules: [Rule] = [
        Rule(folder: "runbooks", extensions: ["md"], check: Runbook.lint),
        Rule(folder: "templates", extensions: ["md", "mustache"], check: templateParses),
        Rule(folder: "incidents", extensions: ["md"], check: Incident.lint),
        Rule(folder: "decisions", extensions: ["md"], check: decisionReads),
        Rule(folder: "backlog", extensions: ["md"], check: BacklogItem.lint),
        Rule(folder: "policies", extensions: ["yaml", "yml"], check: ErrorBudgetPolicy.lint),
        Rule(folder: "slo", extensions: ["yaml", "yml"], check: SLOCatalog.lint),
    ]

    /// The configuration files beside ops.yaml, each checked when it is there (all are optional).
    static let configFiles: [(path: String, check: @Sendable (_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem])] = [
        (RACIMatrix.path, RACIMatrix.lint),
        (OnCallSchedule.path, OnCallSchedule.lint),
        (ChecksConfig.path, ChecksConfig.lint),
    ]

    /// What `ops lint` found: the problems, sorted by file and line, and how many files it read.
    public struct Report: Sendable {
        public var problems: [Problem]
        public var filesChecked: Int

        /// The problems that fail `ops lint`: everything but warnings.
        public var errors: [Problem] { problems.filter { !$0.isWarning } }

        /// The same report with only the problems in files whose path ends with `suffix`.
        /// The problems of postmortems only (`ops postmortem lint`).
        public var postmortems: Report {
            Report(problems: problems.filter { Postmortem.isFile($0.location.path) }, filesChecked: filesChecked)
        }
    }

    /// Checks ops.yaml and every document in `folders` (all of them when nil). Every file read
    /// is also searched for chat credentials (`TrackedSecrets`); with all folders, so is every
    /// other text file, and channels without delivery are warned about (`ChannelUses`).
    public static func run(_ workspace: Workspace, folders: Set<String>? = nil) throws -> Report {
        var problems: [Problem] = []
        var config: OpsConfig?
        var searched = Set<String>()
        func searchForSecrets(_ path: String, _ text: String) {
            searched.insert(path)
            // A line the ops.yaml reader refused (a `url:` under delivery) is reported once, by it.
            let refused = Set(problems.filter { $0.location.path == path }.map(\.location))
            problems += TrackedSecrets.lint(path, text, config).filter { !refused.contains($0.location) }
        }
        if let text = try workspace.readWorkTreeFile(OpsConfig.path) {
            let found = OpsConfig.problems(in: text)
            problems += found
            if found.isEmpty { config = try? OpsConfig.load(text) }
            searchForSecrets(OpsConfig.path, text)
        } else {
            problems.append(Problem(Location(path: OpsConfig.path, line: nil), "is missing. Run `ops init` to write one"))
        }
        var checked = 1
        if folders == nil {
            for file in configFiles {
                guard let text = try workspace.readWorkTreeFile(file.path) else { continue }
                checked += 1
                problems += file.check(file.path, text, config)
                searchForSecrets(file.path, text)
            }
        }
        for rule in rules where folders?.contains(rule.folder) ?? true {
            for path in workspace.workTreeFiles(under: rule.folder, extensions: rule.extensions) {
                checked += 1
                do {
                    guard let text = try workspace.readWorkTreeFile(path) else { continue }
                    problems += rule.check(path, text, config)
                    // Any document can hold a block of lines a sync could not merge.
                    if path.hasSuffix(".md") { problems += ConflictBlock.lint(path, text, config) }
                    searchForSecrets(path, text)
                } catch {
                    problems.append(Problem(error))
                }
            }
        }
        if folders == nil {
            for path in workspace.workTreeFiles(under: "", extensions: TrackedSecrets.extensions) where !searched.contains(path) {
                // Not UTF-8, or too large to be text a person wrote: not where a credential is pasted.
                guard workspace.workTreeFileSize(path) ?? 0 <= TrackedSecrets.maximumFileSize,
                    let text = try? workspace.readWorkTreeFile(path)
                else { continue }
                checked += 1
                searchForSecrets(path, text)
            }
            if let config { problems += try ChannelUses.problems(in: workspace, config: config) }
        }
        if folders?.contains("backlog") ?? true { problems += try unlinkedActionItems(workspace) }
        return Report(problems: problems.sorted { $0.location < $1.location }, filesChecked: checked)
    }

    /// Open backlog items `ops backlog sync` made from a postmortem that no line of it links any
    /// more (its line was rewritten on another clone, or merged away): nothing else would show
    /// them. A warning: someone may have unlinked one on purpose.
    static func unlinkedActionItems(_ workspace: Workspace) throws -> [Problem] {
        var problems: [Problem] = []
        var postmortems: [String: String?] = [:]
        for path in workspace.workTreeFiles(under: BacklogService.locator.folder, extensions: ["md"]) {
            guard let text = try? workspace.readWorkTreeFile(path), let document = try? MarkdownDocument(text, path: path),
                let item = try? BacklogItem(document), item.isOpen, let source = item.source, source.hasPrefix("postmortem:"),
                let incident = DocumentID(String(source.dropFirst("postmortem:".count)), kind: "INC")
            else { continue }
            let postmortemPath = PostmortemService.path(for: IncidentLocator.path(for: incident))
            if postmortems[postmortemPath] == nil { postmortems[postmortemPath] = try? workspace.readWorkTreeFile(postmortemPath) }
            guard let postmortem = postmortems[postmortemPath] ?? nil, !postmortem.contains("(\(item.id))") else { continue }
            problems.append(
                Problem(
                    Location(path: path, line: document.frontMatter?.line(of: "source")),
                    "warning: made from an action item of \(postmortemPath) that no line links any more. Write (\(item.id)) at the end of its line, or drop it: ops backlog drop \(item.id)"
                ))
        }
        return problems
    }

    static func frontMatterParses(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        problem { _ = try MarkdownDocument(text, path: path) }
    }

    /// A template must parse as mustache, and its front matter, when it has one, as YAML.
    static func templateParses(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        let problems = problem { _ = try TemplateRenderer.render(text, path: path, with: [:]) }
        return problems.isEmpty ? frontMatterParses(path, text, config) : problems
    }

    static func decisionReads(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        problem { _ = try Decision(MarkdownDocument(text, path: path)) }
    }

    static func yamlParses(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        problem { _ = try YAMLText(text, path: path) }
    }

    /// The error `read` throws as the file's one problem; none when it reads.
    private static func problem(_ read: () throws -> Void) -> [Problem] {
        do {
            try read()
            return []
        } catch {
            return [Problem(error)]
        }
    }
}
