import Foundation
import Yams

/// Reads the fields of a YAML file (ops.yaml, an SLO catalog, policy or snapshot) one by one,
/// collecting every problem with its file line instead of stopping at the first, so `ops lint`
/// lists them all and a loader can throw the first.
struct YAMLFieldReader {
    let yaml: YAMLText
    var problems: [Problem] = []

    init(_ yaml: YAMLText) { self.yaml = yaml }

    var path: String { yaml.path }

    /// The file line of `node`, or of the key `key` at the top level.
    func line(_ node: Node?) -> Int? { node.flatMap { yaml.line(of: $0) } }

    mutating func flag(_ node: Node?, _ message: String) {
        problems.append(Problem(Location(path: path, line: line(node)), message))
    }

    mutating func flag(key: String, _ message: String) {
        problems.append(Problem(Location(path: path, line: yaml.line(of: key)), message))
    }

    /// Problems for top-level keys not in `known`.
    mutating func flagUnknownKeys(_ known: [String], what: String) {
        for key in yaml.keys where !known.contains(key) {
            flag(key: key, "unknown key `\(key)` in \(what). Known keys: \(known.joined(separator: ", "))")
        }
    }

    /// A scalar's text; flags lists and mappings.
    mutating func text(_ node: Node?, _ name: String, required: Bool = false, parent: Node? = nil) -> String? {
        guard let node else {
            if required {
                if let parent { flag(parent, "`\(name)` is missing here") } else { flag(nil, "`\(name)` is missing") }
            }
            return nil
        }
        guard let value = node.scalarText, !value.isEmpty else {
            flag(node, "`\(name)` must be a single value")
            return nil
        }
        return value
    }

    /// The top-level mapping under `key`, nil when the key is absent; anything else is flagged
    /// with `shape`, which says what the mapping holds.
    mutating func mapping(at key: String, shape: String) -> Node.Mapping? {
        yaml[key].flatMap { mapping($0, shape: shape) }
    }

    /// `node` as a mapping; anything else is flagged with `shape`.
    mutating func mapping(_ node: Node, shape: String) -> Node.Mapping? {
        guard case .mapping(let map) = node else {
            flag(node, shape)
            return nil
        }
        return map
    }

    /// The items of the top-level list under `key`, empty when the key is absent; anything but
    /// a list is flagged with `shape`.
    mutating func list(at key: String, shape: String) -> [Node] {
        guard let node = yaml[key] else { return [] }
        guard case .sequence(let items) = node else {
            flag(node, shape)
            return []
        }
        return Array(items)
    }

    /// The items of a list; none for an empty value (`key:` or `key: ~`), and anything else
    /// is flagged.
    mutating func items(_ node: Node, _ name: String) -> [Node] {
        if case .sequence(let items) = node { return Array(items) }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [] }
        flag(node, "`\(name)` must be a list")
        return []
    }

    /// A list of scalars (`[a, b]` or one `- a` per line).
    mutating func textList(_ node: Node?, _ name: String) -> [String] {
        guard let node else { return [] }
        guard case .sequence(let items) = node else {
            if let single = node.scalarText, !single.isEmpty { return [single] }
            flag(node, "`\(name)` must be a list, e.g. [a, b]")
            return []
        }
        var values: [String] = []
        for item in items {
            guard let value = item.scalarText, !value.isEmpty else {
                flag(item, "`\(name)` must be a list of single values")
                continue
            }
            values.append(value)
        }
        return values
    }

    /// The entries of a mapping with their key nodes, in file order.
    mutating func entries(_ node: Node?, _ name: String) -> [(key: String, keyNode: Node, value: Node)] {
        guard let node else { return [] }
        guard case .mapping(let mapping) = node else {
            if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [] }
            flag(node, "`\(name)` must be a mapping of `name: value` lines")
            return []
        }
        return mapping.compactMap { key, value in key.string.map { ($0, key, value) } }
    }
}

/// A configuration file read field by field (oncall.yaml, checks.yaml): a loader throws its first
/// problem, `ops lint` lists them all. `init` takes the parsed file and ops.yaml; `read` checks it.
protocol ConfigFileReader {
    associatedtype Value
    var fields: YAMLFieldReader { get }
    init(_ fields: YAMLFieldReader, config: OpsConfig?)
    mutating func read() -> Value
}

extension ConfigFileReader {
    /// The file's value, or its first problem as `path:line: problem (ops lint lists every problem)`.
    static func load(_ text: String, path: String, config: OpsConfig?) throws -> Value {
        var reader = Self(YAMLFieldReader(try YAMLText(text, path: path)), config: config)
        let value = reader.read()
        if let first = reader.fields.problems.first {
            throw OpsError(.input, first.message + " (ops lint lists every problem)", at: first.location)
        }
        return value
    }

    /// Every problem in the file, for `ops lint`.
    static func problems(in text: String, path: String, config: OpsConfig?) -> [Problem] {
        do {
            var reader = Self(YAMLFieldReader(try YAMLText(text, path: path)), config: config)
            _ = reader.read()
            return reader.fields.problems
        } catch {
            return [Problem(error)]
        }
    }
}

/// A configuration file with a reader of its own (oncall.yaml, checks.yaml): `load` throws its
/// first problem as `path:line: problem`; `problems` lists them all, and `lint` is its entry in
/// `ops lint`.
protocol ConfigFile {
    associatedtype Reader: ConfigFileReader where Reader.Value == Self
    static var path: String { get }
}

extension ConfigFile {
    static func load(_ text: String, config: OpsConfig?, path: String = Self.path) throws -> Self {
        try Reader.load(text, path: path, config: config)
    }

    static func problems(in text: String, config: OpsConfig?, path: String = Self.path) -> [Problem] {
        Reader.problems(in: text, path: path, config: config)
    }

    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        problems(in: text, config: config, path: path)
    }
}
