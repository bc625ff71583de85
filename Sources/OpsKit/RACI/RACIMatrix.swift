import Foundation
import GitStore
import Yams

/// `raci.yaml`: per workstream, who is Responsible, Accountable, Consulted and Informed.
/// One workstream per line (`Ops Review: {R: [SRE Lead], A: COO, C: [PM], I: [Org]}`), so a
/// change to one workstream is a one-line diff.
public struct RACIMatrix {
    public static let path = "raci.yaml"
    public static let roles = ["R", "A", "C", "I"]

    public struct Workstream: Sendable, Equatable, Encodable {
        public var name: String
        public var responsible: [String]
        public var accountable: [String]
        public var consulted: [String]
        public var informed: [String]
        public var line: Int?

        public func names(_ role: String) -> [String] {
            switch role {
            case "R": return responsible
            case "A": return accountable
            case "C": return consulted
            default: return informed
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, responsible, accountable, consulted, informed
        }
    }

    public var workstreams: [Workstream]
    var yaml: YAMLText

    public init(_ text: String, path: String = RACIMatrix.path) throws {
        yaml = try YAMLText(text, path: path)
        workstreams = []
        for key in yaml.keys {
            let node = yaml[key]
            func list(_ role: String) -> [String] {
                guard let value = node?[role] else { return [] }
                if let single = value.scalarText { return single.isEmpty ? [] : [single] }
                return value.array().compactMap(\.scalarText)
            }
            workstreams.append(
                Workstream(
                    name: key, responsible: list("R"), accountable: list("A"), consulted: list("C"),
                    informed: list("I"), line: yaml.line(of: key)))
        }
    }

    public var text: String { yaml.text }

    /// The workstream `name` names: exact, then case-insensitive, then a unique start.
    public func workstream(_ name: String) throws -> Workstream {
        let key = name.lowercased()
        if let exact = workstreams.first(where: { $0.name.lowercased() == key }) { return exact }
        let starts = workstreams.filter { $0.name.lowercased().hasPrefix(key) }
        if starts.count == 1 { return starts[0] }
        throw OpsError.input("no workstream '\(name)' in raci.yaml. Workstreams: \(workstreams.map(\.name).joined(separator: ", "))")
    }

    /// Sets one role of a workstream (A takes one name; R, C, I a list).
    mutating func set(_ workstream: String, role: String, to names: [String]) throws {
        var current = try self.workstream(workstream)
        switch role {
        case "R": current.responsible = names
        case "A": current.accountable = names
        case "C": current.consulted = names
        default: current.informed = names
        }
        var pairs: [(Node, Node)] = []
        for key in Self.roles {
            let names = current.names(key)
            if key == "A", names.count == 1 {
                pairs.append((Node(key), .text(names[0])))
            } else if !names.isEmpty || key == "R" {
                pairs.append((Node(key), .list(names)))
            }
        }
        try yaml.set(current.name, Node(pairs, Tag(.map), .flow))
        self = try RACIMatrix(yaml.text, path: yaml.path)
    }

    /// Exactly one A and at least one R per workstream; every name known to ops.yaml.
    public func problems(config: OpsConfig?) -> [Problem] {
        var problems: [Problem] = []
        for workstream in workstreams {
            let here = Location(path: yaml.path, line: workstream.line)
            if workstream.accountable.count != 1 {
                problems.append(Problem(here, "\(workstream.name) has \(workstream.accountable.count) Accountable; it needs exactly one"))
            }
            if workstream.responsible.isEmpty {
                problems.append(Problem(here, "\(workstream.name) has no Responsible; name at least one"))
            }
            guard let config else { continue }
            for role in Self.roles {
                for name in workstream.names(role) where !config.knowsParty(name) {
                    problems.append(Problem(here, "\(workstream.name): `\(name)` (\(role)) is not a person, title, team or group in ops.yaml"))
                }
            }
        }
        return problems
    }

    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        do { return try RACIMatrix(text, path: path).problems(config: config) } catch { return [Problem(error)] }
    }
}

/// `ops raci`: read and change the matrix, one commit per change.
public struct RACIService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    public func matrix() throws -> RACIMatrix {
        guard let text = try workspace.committedText(RACIMatrix.path) else {
            throw OpsError.input("there is no raci.yaml yet. `ops init --example` writes a sample to start from")
        }
        return try RACIMatrix(text)
    }

    public func set(_ workstream: String, role: String, to names: [String], author: Author) throws -> (RACIMatrix.Workstream, Bool) {
        let config = try workspace.config()
        let role = role.uppercased()
        guard RACIMatrix.roles.contains(role) else { throw OpsError.input("role '\(role)' is not one of R, A, C, I") }
        guard !names.isEmpty else { throw OpsError.input("give at least one name with --to") }
        if role == "A", names.count != 1 { throw OpsError.input("a workstream has exactly one Accountable; give one name") }
        for name in names where !config.knowsParty(name) {
            throw OpsError.input("'\(name)' is not a person, title, team or group in ops.yaml. Add them there first")
        }
        var result: RACIMatrix.Workstream?
        let commit = try workspace.commit(
            action: "raci.set", subject: "raci \(workstream): \(role) = \(names.joined(separator: ", "))",
            author: author
        ) { snapshot in
            guard let data = try snapshot.read(RACIMatrix.path) else { throw OpsError.input("there is no raci.yaml yet") }
            var matrix = try RACIMatrix(UTF8Text.decode(data, path: RACIMatrix.path))
            try matrix.set(workstream, role: role, to: names)
            let changed = try matrix.workstream(workstream)
            // Only the workstream being changed must be right; others are fixed one at a time.
            if let problem = matrix.problems(config: config).first(where: { $0.location.line == changed.line }) {
                throw OpsError(.input, problem.message, at: problem.location)
            }
            result = changed
            return [.write(RACIMatrix.path, matrix.text)]
        }
        return (result!, commit != nil)
    }
}
