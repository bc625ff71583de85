import Foundation
import Yams

/// How one channel of ops.yaml's `delivery:` is reached (docs/DESIGN.md §11): the kind of
/// receiver, and where its URL (and a webhook's signing secret) are read when a message is
/// sent. It names the environment variable or file, never the value: a webhook URL is a secret.
public struct ChannelDelivery: Sendable, Equatable {
    public static let knownKeys = ["type", "url_env", "url_file", "secret_env", "secret_file"]

    /// The receiver, as `type:` names it.
    public enum Kind: String, Sendable, CaseIterable {
        /// A Slack incoming webhook (Block Kit message).
        case slack
        /// A Teams Workflows webhook (Adaptive Card).
        case teams
        /// Any HTTPS receiver of ops' own JSON, signed with HMAC-SHA256 when it has a secret.
        case webhook
    }

    /// Where a secret value comes from.
    public enum Source: Sendable, Equatable {
        /// An environment variable, by name (`url_env`, `secret_env`).
        case environment(String)
        /// A file outside the repository, absolute or `~/…` (`url_file`, `secret_file`).
        case file(String)
    }

    public var kind: Kind
    public var url: Source
    /// A webhook's signing secret; nil sends the body unsigned.
    public var secret: Source?
    /// The line of the channel in ops.yaml.
    public var line: Int?

    public init(kind: Kind, url: Source, secret: Source? = nil, line: Int? = nil) {
        self.kind = kind
        self.url = url
        self.secret = secret
        self.line = line
    }

    /// The environment variable a message suggests for `channel`: `OPS_SLACK_SRE_ONCALL` for
    /// `#sre-oncall`, so the examples in errors are names a team can paste.
    public static func suggestedVariable(for channel: String, kind: Kind = .slack) -> String {
        let prefix: String
        switch kind {
        case .slack: prefix = "OPS_SLACK_"
        case .teams: prefix = "OPS_TEAMS_"
        case .webhook: prefix = "OPS_HOOK_"
        }
        let name = channel.drop { $0 == "#" }.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        return prefix + String(name)
    }

    /// A name a shell can export: a letter or underscore, then letters, digits, underscores.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 200 else { return false }
        let word = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
        return !CharacterSet.decimalDigits.contains(first) && text.unicodeScalars.allSatisfy(word.contains)
    }
}

extension OpsConfig {
    /// Reads `delivery:`, flagging each entry that does not say, in the expected form, how to
    /// reach its channel. The URL and secret themselves never belong in ops.yaml: a `url:` or
    /// `secret:` key is refused with where to put them instead.
    static func readDelivery(_ node: Node?, _ fields: inout YAMLFieldReader) -> [String: ChannelDelivery] {
        guard let node else { return [:] }
        let example = "\"#sre-oncall\": {type: slack, url_env: OPS_SLACK_SRE_ONCALL}"
        guard case .mapping = node else {
            fields.flag(node, "`delivery` maps a channel to how it is reached, e.g. \(example)")
            return [:]
        }
        var result: [String: ChannelDelivery] = [:]
        for entry in fields.entries(node, "delivery") {
            let channel = entry.key
            guard channel.hasPrefix("#"), channel.count > 1 else {
                fields.flag(entry.keyNode, "delivery channel `\(channel)` must start with # (quote it in YAML: \"#\(channel)\")")
                continue
            }
            guard case .mapping(let map) = entry.value else {
                fields.flag(entry.value, "delivery \(channel) is {type: slack, url_env: \(ChannelDelivery.suggestedVariable(for: channel))}")
                continue
            }
            if let delivery = readChannelDelivery(channel, map, at: entry.keyNode, &fields) { result[channel] = delivery }
        }
        return result
    }

    private static func readChannelDelivery(
        _ channel: String, _ map: Node.Mapping, at keyNode: Node, _ fields: inout YAMLFieldReader
    ) -> ChannelDelivery? {
        let kind = readKind(channel, map, at: keyNode, &fields)
        let variable = ChannelDelivery.suggestedVariable(for: channel, kind: kind ?? .slack)
        for (key, _) in map {
            let name = key.string ?? ""
            if name == "url" || name == "secret" {
                let what = name == "url" ? "its URL" : "its signing secret"
                let suggestion = name == "url" ? "url_env: \(variable)" : "secret_env: \(variable)_SECRET"
                fields.flag(
                    key,
                    "delivery \(channel) writes \(what) in ops.yaml (`\(name):`), where everyone with the repository can read it. Put it in an environment variable (\(suggestion)) or a file outside the repository (\(name)_file: ~/.config/ops/…), and rotate it if it was committed"
                )
            } else if !ChannelDelivery.knownKeys.contains(name) {
                fields.flag(key, "unknown key `\(name)` in delivery \(channel). Known keys: \(ChannelDelivery.knownKeys.joined(separator: ", "))")
            }
        }
        let url = readSource(channel, map, "url", at: keyNode, required: true, suggestion: variable, &fields)
        var secret: ChannelDelivery.Source?
        if let kind, kind != .webhook {
            for key in ["secret_env", "secret_file"] where map[key] != nil {
                fields.flag(
                    map[key], "delivery \(channel): `\(key)` is for type webhook (it signs the body); a \(kind.rawValue) URL is its own secret. Remove it")
            }
        } else {
            secret = readSource(channel, map, "secret", at: keyNode, required: false, suggestion: variable + "_SECRET", &fields)
        }
        guard let kind, let url else { return nil }
        return ChannelDelivery(kind: kind, url: url, secret: secret, line: fields.line(keyNode))
    }

    private static func readKind(_ channel: String, _ map: Node.Mapping, at keyNode: Node, _ fields: inout YAMLFieldReader) -> ChannelDelivery.Kind? {
        let kinds = ChannelDelivery.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let node = map["type"] else {
            fields.flag(keyNode, "delivery \(channel) has no `type`. Add type: one of \(kinds)")
            return nil
        }
        guard let text = node.scalarText, let kind = ChannelDelivery.Kind(rawValue: text) else {
            fields.flag(node, "delivery \(channel): type `\(node.scalarText ?? "")` is not one of: \(kinds)")
            return nil
        }
        return kind
    }

    /// `<name>_env` or `<name>_file`: exactly one when required, at most one otherwise.
    private static func readSource(
        _ channel: String, _ map: Node.Mapping, _ name: String, at keyNode: Node, required: Bool, suggestion: String,
        _ fields: inout YAMLFieldReader
    ) -> ChannelDelivery.Source? {
        let envKey = name + "_env"
        let fileKey = name + "_file"
        let what = name == "url" ? "URL" : "signing secret"
        switch (map[envKey], map[fileKey]) {
        case (nil, nil):
            // A refused literal `url:` was already flagged with where the URL goes instead.
            if required && map[name] == nil {
                fields.flag(
                    keyNode,
                    "delivery \(channel) does not say where to read its URL. Add \(envKey): \(suggestion) (an environment variable) or \(fileKey): ~/.config/ops/… (a file outside the repository)"
                )
            }
            return nil
        case (_?, let file?):
            fields.flag(file, "delivery \(channel) has both \(envKey) and \(fileKey). Keep one")
            return nil
        case (let env?, nil):
            guard let text = env.scalarText, ChannelDelivery.isVariableName(text) else {
                // The value is not printed: a pasted URL or secret would land in the terminal and CI logs.
                fields.flag(
                    env,
                    "delivery \(channel): `\(envKey)` must be the name of an environment variable that holds the \(what), like \(envKey): \(suggestion)")
                return nil
            }
            return .environment(text)
        case (nil, let file?):
            guard let text = file.scalarText, !text.isEmpty else {
                fields.flag(file, "delivery \(channel): `\(fileKey)` must be a single path, like \(fileKey): ~/.config/ops/…")
                return nil
            }
            guard text.hasPrefix("/") || text.hasPrefix("~/") else {
                fields.flag(
                    file,
                    "delivery \(channel): \(fileKey) `\(text)` is a relative path. Write an absolute path or ~/…, to a file outside the repository"
                )
                return nil
            }
            return .file(text)
        }
    }
}
