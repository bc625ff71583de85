import Foundation
import Yams

/// A playbook (`runbooks/<slug>.md`): front matter, then one `##` section per phase, each with
/// `###` steps made of an action, commands in fenced code blocks, and a checklist.
public struct Runbook: Sendable {
    public static let phases = ["Detection", "Diagnosis", "Mitigation", "Resolution", "Post-mortem"]
    public static let fieldOrder = ["id", "title", "services", "severities", "triggers", "owner", "channel"]

    public var slug: String
    public var title: String
    public var services: [String]
    public var severities: [String]
    /// Alert names that call for this runbook.
    public var triggers: [String]
    public var owner: String?
    public var channel: String?
    public var phases: [Phase]
    public var path: String

    public struct Phase: Sendable, Equatable {
        public var name: String
        public var line: Int
        public var steps: [Step]

        /// `mitigation`, `post-mortem`: the first part of a checklist item's id.
        public var key: String { Runbook.key(name) }
    }

    public struct Step: Sendable, Equatable {
        public var title: String
        public var line: Int
        /// The action: the step's prose, without commands or checklist.
        public var action: String
        public var commands: [String]
        public var checklist: [String]
    }

    /// Phase names as ids: lower case, dashes for spaces.
    static func key(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).joined(separator: "-")
    }

    /// Every checklist item with its stable id (`mitigation.2`: the second item of Mitigation).
    public var items: [(id: String, phase: String, step: String, text: String)] {
        phases.flatMap { phase in
            phase.steps.flatMap { step in step.checklist.map { (phase: phase, step: step.title, text: $0) } }
                .enumerated().map { ("\(phase.key).\($0.offset + 1)", phase.name, $0.element.step, $0.element.text) }
        }
    }
}

extension Runbook {
    /// Reads a runbook; a front matter that does not read names its line.
    init(_ document: MarkdownDocument) throws {
        path = document.path
        let fileName = (document.path as NSString).lastPathComponent
        slug = fileName.hasSuffix(".md") ? String(fileName.dropLast(3)) : fileName
        let yaml = document.frontMatter
        title = yaml?["title"]?.scalarText ?? slug
        services = yaml?["services"]?.array().compactMap(\.scalarText) ?? []
        severities = yaml?["severities"]?.array().compactMap(\.scalarText) ?? []
        triggers = yaml?["triggers"]?.array().compactMap { $0["alert"]?.scalarText ?? $0.scalarText } ?? []
        owner = yaml?["owner"]?.scalarText
        channel = yaml?["channel"]?.scalarText
        phases = Self.parsePhases(document.body, firstLine: document.bodyLine)
    }

    /// `##` phases and `###` steps, skipping fenced code (a shell comment is not a heading).
    static func parsePhases(_ body: String, firstLine: Int) -> [Phase] {
        var phases: [Phase] = []
        var fence: String?
        var code: [String] = []
        for (offset, line) in YAMLText.split(body).map(\.text).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) {
                    fence = nil
                    appendToStep(&phases) { $0.commands.append(code.joined(separator: "\n")) }
                    code = []
                } else {
                    code.append(line)
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                continue
            }
            if line.hasPrefix("## ") {
                phases.append(Phase(name: String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), line: firstLine + offset, steps: []))
            } else if line.hasPrefix("### "), !phases.isEmpty {
                let title = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces)
                phases[phases.count - 1].steps.append(Step(title: title, line: firstLine + offset, action: "", commands: [], checklist: []))
            } else if let item = ChecklistLine(line) {
                appendToStep(&phases) { $0.checklist.append(item.text) }
            } else if !trimmed.isEmpty {
                appendToStep(&phases) { $0.action += ($0.action.isEmpty ? "" : "\n") + trimmed }
            }
        }
        return phases
    }

    private static func appendToStep(_ phases: inout [Phase], _ change: (inout Step) -> Void) {
        guard !phases.isEmpty, !phases[phases.count - 1].steps.isEmpty else { return }
        change(&phases[phases.count - 1].steps[phases[phases.count - 1].steps.count - 1])
    }

    /// `ops runbook lint`: front matter complete, the five phases in order, every step with an
    /// action and a checklist.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        let document: MarkdownDocument
        do {
            document = try MarkdownDocument(text, path: path)
        } catch {
            return [Problem(error)]
        }
        let runbook: Runbook
        do { runbook = try Runbook(document) } catch { return [Problem(error)] }
        var problems: [Problem] = []
        let here = Location(path: path, line: 1)
        guard let yaml = document.frontMatter else {
            return [Problem(here, "has no front matter. A runbook starts with --- and id, title, services, severities, triggers, owner, channel")]
        }
        for key in fieldOrder where yaml[key] == nil {
            problems.append(Problem(here, "front matter has no `\(key)`"))
        }
        if let id = yaml["id"]?.scalarText, id != runbook.slug {
            problems.append(Problem(Location(path: path, line: yaml.line(of: "id")), "id `\(id)` does not match the file name \(runbook.slug).md"))
        }
        // A trigger listed twice: the second says nothing the first did not (a copy-paste slip).
        var seen = Set<String>()
        for trigger in runbook.triggers where !seen.insert(trigger).inserted {
            problems.append(Problem(Location(path: path, line: yaml.line(of: "triggers")), "trigger `\(trigger)` is listed twice"))
        }
        let names = runbook.phases.map(\.name)
        if names != phases {
            problems.append(
                Problem(
                    Location(path: path, line: runbook.phases.first?.line ?? document.bodyLine),
                    "phases are \(names.isEmpty ? "missing" : names.joined(separator: ", ")); expected ## \(phases.joined(separator: ", ## ")) in this order"))
        }
        for phase in runbook.phases {
            if phase.steps.isEmpty {
                problems.append(Problem(Location(path: path, line: phase.line), "phase \(phase.name) has no ### steps"))
            }
            for step in phase.steps {
                if step.action.isEmpty {
                    problems.append(
                        Problem(Location(path: path, line: step.line), "step \"\(step.title)\" has no action: say what to do in a line under the heading"))
                }
                if step.checklist.isEmpty {
                    problems.append(Problem(Location(path: path, line: step.line), "step \"\(step.title)\" has no checklist (- [ ] lines)"))
                }
            }
        }
        return problems
    }
}

/// A task-list line: `- [ ] text`, `- [x] text`, `* [X] text`.
struct ChecklistLine {
    var checked: Bool
    var text: String
    var indent: Int

    init?(_ line: String) {
        let trimmed = line.drop { $0 == " " }
        indent = line.count - trimmed.count
        guard trimmed.count >= 5, trimmed.first == "-" || trimmed.first == "*" || trimmed.first == "+" else { return nil }
        let rest = trimmed.dropFirst()
        guard rest.first == " " else { return nil }
        let box = rest.dropFirst().prefix(3)
        guard box == "[ ]" || box.lowercased() == "[x]" else { return nil }
        checked = box != "[ ]"
        text = String(rest.dropFirst(4)).trimmingCharacters(in: .whitespaces)
    }
}
