import Foundation

extension DeliveryEndpoint {
    /// A file holding a URL or secret is a line, not a document; anything larger is not one.
    static let maximumSecretFileSize = 64 * 1024

    /// The endpoint of `channel`: its `delivery:` entry in ops.yaml, with the URL (and a
    /// webhook's secret) read now from the environment or a file outside the repository.
    /// Errors name the channel, the variable or file, and what to do; never the value.
    static func resolve(channel: String, config: OpsConfig, environment: [String: String], repositoryRoot: String) throws -> DeliveryEndpoint {
        guard let delivery = config.delivery[channel] else {
            let variable = ChannelDelivery.suggestedVariable(for: channel)
            throw OpsError.input(
                "channel \(channel) has no delivery entry in ops.yaml, so its messages wait in the outbox. Add one under delivery:, e.g. \"\(channel)\": {type: slack, url_env: \(variable)}"
            )
        }
        let reader = SecretReader(channel: channel, environment: environment, repositoryRoot: repositoryRoot)
        let text = try reader.value(of: delivery.url, what: "URL")
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw OpsError.input("the URL of \(channel) (from \(reader.describe(delivery.url))) is not an http or https URL with a host. Check the value there")
        }
        let target: DeliveryTarget
        switch delivery.kind {
        case .slack: target = .slack
        case .teams: target = .teams
        case .webhook: target = .webhook(secret: try delivery.secret.map { try reader.value(of: $0, what: "signing secret") })
        }
        return DeliveryEndpoint(channel: channel, url: url, target: target)
    }
}

/// Reads one secret value from where `delivery:` says it is, trimmed.
private struct SecretReader {
    let channel: String
    let environment: [String: String]
    let repositoryRoot: String

    func describe(_ source: ChannelDelivery.Source) -> String {
        switch source {
        case .environment(let name): return "the environment variable \(name)"
        case .file(let path): return path
        }
    }

    func value(of source: ChannelDelivery.Source, what: String) throws -> String {
        switch source {
        case .environment(let name):
            let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !value.isEmpty else {
                throw OpsError.input(
                    "the \(what) of \(channel) comes from the environment variable \(name), which is \(environment[name] == nil ? "not set" : "empty"). Export it where ops runs (export \(name)=…)"
                )
            }
            return value
        case .file(let written):
            let path = try absolutePath(written, what: what)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                throw OpsError.input(
                    "the \(what) of \(channel) comes from \(written), which does not exist. Write the \(what) alone in it, readable only by you (chmod 600)")
            }
            let unreadable = OpsError.input(
                "the \(what) of \(channel) comes from \(written), which cannot be read as a line of text. Check its permissions and content")
            guard let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
            defer { try? handle.close() }
            // One byte past the limit tells a file that is too large from one that fits.
            let data: Data
            do {
                data = try handle.read(upToCount: DeliveryEndpoint.maximumSecretFileSize + 1) ?? Data()
            } catch {
                throw unreadable
            }
            guard data.count <= DeliveryEndpoint.maximumSecretFileSize, let text = String(data: data, encoding: .utf8) else {
                throw unreadable
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw OpsError.input("the \(what) of \(channel) comes from \(written), which is empty. Write the \(what) in it") }
            return value
        }
    }

    /// `written` as an absolute path, refused when it is relative (relative to what? The
    /// current folder changes with every shell) or inside the repository, where a file can be
    /// committed and is no secret.
    private func absolutePath(_ written: String, what: String) throws -> String {
        var path = written
        if written.hasPrefix("~/") {
            guard let home = environment["HOME"], home.hasPrefix("/") else {
                throw OpsError.input("the \(what) of \(channel) comes from \(written), but HOME is not set. Set HOME or write the absolute path in ops.yaml")
            }
            path = home + written.dropFirst(1)
        }
        guard path.hasPrefix("/") else {
            throw OpsError.input(
                "the \(what) of \(channel) comes from \(written), a relative path. Write an absolute path or ~/… in ops.yaml, outside the repository")
        }
        let file = Self.realPath(path)
        let root = Self.realPath(repositoryRoot)
        if file == root || file.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            throw OpsError.input(
                "the \(what) of \(channel) comes from \(written), which is inside the ops repository, where a file can be committed and read by everyone with a clone. Move it outside (e.g. ~/.config/ops/), point ops.yaml there, and rotate the \(what) if it was ever committed"
            )
        }
        return path
    }

    /// The path with `.`, `..` and symbolic links resolved, so a link into the repository is seen.
    private static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
