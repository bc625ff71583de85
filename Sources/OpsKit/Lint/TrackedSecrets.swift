import Foundation

/// `ops lint`'s check for chat credentials written into the repository: a Slack or Teams
/// webhook URL, or a Slack token, lets anyone who has a clone post as the team, and stays in
/// Git history after the line is deleted. Each one found is an error that names the kind,
/// masks the value, and says to move it out and rotate it.
///
/// Scanned: every text file in the work tree (committed or not: a file there is one `git add`
/// away from history) with an extension in `extensions`, hidden folders such as `.git` aside.
/// A `url:` or `secret:` written under `delivery:` in ops.yaml is refused by the ops.yaml
/// reader itself (`OpsConfig.readDelivery`), so that line is reported once, by it.
enum TrackedSecrets {
    /// The text files people write or ops reads: documents, configuration, templates, exports.
    static let extensions: Set<String> = ["md", "markdown", "yaml", "yml", "json", "mustache", "html", "txt", "csv", "ics", "env", "toml", "ini", "sh"]
    /// Larger files are not hand-written text and are skipped, so a stray dump cannot stall lint.
    static let maximumFileSize = 8 * 1024 * 1024

    /// A kind of credential, with what a message shows of it instead of the value.
    enum Kind: CaseIterable {
        case slackWebhook
        case slackToken
        case teamsConnector
        case teamsWorkflow

        var name: String {
            switch self {
            case .slackWebhook: return "a Slack incoming-webhook URL"
            case .slackToken: return "a Slack token"
            case .teamsConnector: return "a Teams (Office 365 connector) webhook URL"
            case .teamsWorkflow: return "a Teams Workflows webhook URL"
            }
        }
    }

    /// Characters that end a URL or token in running text, YAML, JSON or Markdown.
    private static let separators = Set<Character>(" \t\r\"'`<>()[]{}|,;\\")
    private static let tokenPrefixes = ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
    /// Cheap tests that rule out almost every file before it is split into words.
    private static let hints = ["hooks.slack.com", "xox", "office.com", "logic.azure.com", "powerplatform.com"]

    /// The credentials in one file, one problem per kind and line.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        let lower = text.lowercased()
        guard hints.contains(where: { lower.contains($0) }) else { return [] }
        var problems: [Problem] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var kinds: [Kind] = []
            for word in line.split(whereSeparator: { separators.contains($0) }) {
                if let kind = kind(of: word), !kinds.contains(kind) { kinds.append(kind) }
            }
            for kind in kinds {
                problems.append(
                    Problem(
                        Location(path: path, line: index + 1),
                        "\(kind.name) (\(masked(kind, in: line))) is written in the repository, where everyone with a clone can read it and Git history keeps it. Move it to an environment variable or a file outside the repository (delivery: in ops.yaml, url_env or url_file), delete it here, and rotate it"
                    ))
            }
        }
        return problems
    }

    /// The kind of credential `word` is, nil when it is none. A placeholder such as
    /// `hooks.slack.com/services/...` is not one: a real URL has a long id after the prefix.
    static func kind(of word: Substring) -> Kind? {
        let lower = word.lowercased()
        // `SLACK_TOKEN=xoxb-…` is one word: look at its parts made of letters, digits and dashes.
        for part in lower.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            if let token = tokenPrefixes.first(where: { part.hasPrefix($0) }), part.dropFirst(token.count).filter(\.isAlphanumeric).count >= 10 {
                return .slackToken
            }
        }
        for prefix in ["hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/"] {
            if let range = lower.range(of: prefix), lower[range.upperBound...].filter(\.isAlphanumeric).count >= 8 {
                return .slackWebhook
            }
        }
        guard let host = host(of: lower) else { return nil }
        if host.hasSuffix(".webhook.office.com") || (host == "outlook.office.com" && lower.contains("/webhook")) {
            return .teamsConnector
        }
        if (host.hasSuffix(".logic.azure.com") || host.hasSuffix(".powerplatform.com")) && lower.contains("sig=") {
            return .teamsWorkflow
        }
        return nil
    }

    /// The host of a URL written with or without its scheme (`x.webhook.office.com/...`).
    private static func host(of word: String) -> String? {
        var rest = Substring(word)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != ":" && $0 != "#" }
        return host.contains(".") ? String(host) : nil
    }

    /// What a message shows: the part every such credential shares, never its own part.
    private static func masked(_ kind: Kind, in line: Substring) -> String {
        switch kind {
        case .slackWebhook: return "https://hooks.slack.com/…"
        case .slackToken: return (tokenPrefixes.first { line.lowercased().contains($0) } ?? "xox") + "…"
        case .teamsConnector: return "https://….webhook.office.com/…"
        case .teamsWorkflow: return "https://…" + (line.lowercased().contains("logic.azure.com") ? ".logic.azure.com" : ".powerplatform.com") + "/…sig=…"
        }
    }
}

extension Character {
    fileprivate var isAlphanumeric: Bool { isLetter || isNumber }
}
