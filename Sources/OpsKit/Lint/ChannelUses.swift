import Foundation
import Yams

/// `ops lint`'s warning for a channel that messages are addressed to but that ops.yaml's
/// `delivery:` does not say how to reach. Not an error: the files work, and the messages wait
/// in the outbox until a `delivery:` entry exists.
///
/// Channels are named in ops.yaml (`channels:` values, a team's `channel`/`channels`), in
/// oncall.yaml (a route's `channel`) and in the policies (`notify:#x` actions and
/// `reporting.channel`). A runbook's `channel` is where responders talk, not where ops sends,
/// so it is not counted. One warning per channel, at its first use.
enum ChannelUses {
    /// A channel as written in one place.
    struct Use: Equatable {
        var channel: String
        var location: Location
    }

    /// Every channel without delivery in `workspace`'s configuration files, as warnings.
    static func problems(in workspace: Workspace, config: OpsConfig) throws -> [Problem] {
        var uses: [Use] = []
        if let text = try workspace.readWorkTreeFile(OpsConfig.path) { uses += inConfig(text, path: OpsConfig.path) }
        if let text = try workspace.readWorkTreeFile(OnCallSchedule.path) { uses += inSchedule(text, path: OnCallSchedule.path) }
        for path in workspace.workTreeFiles(under: ErrorBudgetPolicy.folder, extensions: ["yaml", "yml"]) {
            if let text = try workspace.readWorkTreeFile(path) { uses += inPolicy(text, path: path) }
        }
        return warnings(for: uses, config: config)
    }

    /// One warning per channel that has no `delivery:` entry, at its first use.
    static func warnings(for uses: [Use], config: OpsConfig) -> [Problem] {
        let missing = uses.filter { config.delivery[$0.channel] == nil }.sorted { $0.location < $1.location }
        var warned = Set<String>()
        var problems: [Problem] = []
        for use in missing where warned.insert(use.channel).inserted {
            let others = missing.filter { $0.channel == use.channel }.count - 1
            let elsewhere = others == 0 ? "" : " (named in \(others) more place\(others == 1 ? "" : "s"))"
            problems.append(
                Problem(
                    use.location,
                    "channel \(use.channel)\(elsewhere) has no delivery entry in ops.yaml: messages to it will wait in the outbox until one exists. Add \"\(use.channel)\": {type: slack, url_env: \(ChannelDelivery.suggestedVariable(for: use.channel))} under delivery:",
                    warning: true))
        }
        return problems
    }

    /// ops.yaml: the values of `channels:` and each team's `channel` and `channels`.
    static func inConfig(_ text: String, path: String) -> [Use] {
        guard let yaml = try? YAMLText(text, path: path) else { return [] }
        var nodes: [Node] = []
        if case .mapping(let purposes)? = yaml["channels"] { nodes += purposes.values }
        if case .sequence(let teams)? = yaml["teams"] {
            for case .mapping(let team) in teams {
                if let channel = team["channel"] { nodes.append(channel) }
                if case .sequence(let channels)? = team["channels"] { nodes += channels }
            }
        }
        return uses(nodes, in: yaml)
    }

    /// oncall.yaml: each route's `channel`.
    static func inSchedule(_ text: String, path: String) -> [Use] {
        guard let yaml = try? YAMLText(text, path: path), case .sequence(let routes)? = yaml["routes"] else { return [] }
        var nodes: [Node] = []
        for case .mapping(let route) in routes {
            if let channel = route["channel"] { nodes.append(channel) }
        }
        return uses(nodes, in: yaml)
    }

    /// A policy: `notify:#x` among a burn alert's actions, and `reporting.channel`.
    static func inPolicy(_ text: String, path: String) -> [Use] {
        guard let yaml = try? YAMLText(text, path: path) else { return [] }
        var result: [Use] = []
        if case .sequence(let alerts)? = yaml["burn_alerts"] {
            for case .mapping(let alert) in alerts {
                guard case .sequence(let actions)? = alert["actions"] else { continue }
                for action in actions {
                    guard let text = action.scalarText, text.hasPrefix("notify:") else { continue }
                    let channel = text.dropFirst("notify:".count).trimmingCharacters(in: .whitespaces)
                    if channel.hasPrefix("#") { result.append(Use(channel: channel, location: Location(path: path, line: yaml.line(of: action)))) }
                }
            }
        }
        if case .mapping(let reporting)? = yaml["reporting"], let channel = reporting["channel"] {
            result += uses([channel], in: yaml)
        }
        return result
    }

    /// The channels among `nodes`; other values are the file's own reader's to refuse.
    private static func uses(_ nodes: [Node], in yaml: YAMLText) -> [Use] {
        nodes.compactMap { node in
            guard let channel = node.scalarText, channel.hasPrefix("#"), channel.count > 1 else { return nil }
            return Use(channel: channel, location: Location(path: yaml.path, line: yaml.line(of: node)))
        }
    }
}
