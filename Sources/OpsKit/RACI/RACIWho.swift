import Foundation

/// `ops raci who NAME`: who is behind a workstream's letters, or behind one name in the matrix
/// (a title such as `SRE Lead`, a team, a group, or a person) and which letters it holds.
/// raci.yaml names titles and teams so it survives people moving; at 3 a.m. one needs a person.
public struct RACIWho: Sendable {
    public enum Subject: String, Sendable { case workstream, person, title, team, group }

    /// A name as raci.yaml writes it, and the people ops.yaml puts behind it.
    public struct Party: Sendable, Equatable {
        public var name: String
        public var people: [Person]
    }

    /// One letter of a workstream, or one letter a name holds in a workstream.
    public struct Holding: Sendable, Equatable {
        public var workstream: String
        public var role: String
        /// The name in raci.yaml that gives this holding (a person holds through their title or team).
        public var via: String
    }

    public var name: String
    public var subject: Subject
    /// For a workstream: R, A, C and I in that order, each with its parties.
    public var letters: [(role: String, parties: [Party])]
    /// For a name: the people behind it, and where it holds a letter.
    public var people: [Person]
    public var holdings: [Holding]

    static let labels = ["R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"]

    /// The answer for `query`: a workstream named exactly, then a person, title, team or group,
    /// then a workstream by the start of its name.
    public static func answer(_ query: String, matrix: RACIMatrix, config: OpsConfig) throws -> RACIWho {
        let key = query.trimmingCharacters(in: .whitespaces).lowercased()
        if let exact = matrix.workstreams.first(where: { $0.name.lowercased() == key }) {
            return workstream(exact, config: config)
        }
        if let (subject, name, people) = config.party(key) {
            let names =
                subject == .person
                ? Set([people[0].handle, people[0].name, people[0].title, people[0].team].compactMap { $0?.lowercased() })
                : [name.lowercased()]
            var holdings: [Holding] = []
            for stream in matrix.workstreams {
                for role in RACIMatrix.roles {
                    for written in stream.names(role) where names.contains(written.lowercased()) {
                        holdings.append(Holding(workstream: stream.name, role: role, via: written))
                    }
                }
            }
            return RACIWho(name: name, subject: subject, letters: [], people: people, holdings: holdings)
        }
        do {
            return workstream(try matrix.workstream(query), config: config)
        } catch {
            throw OpsError.input(
                "'\(query)' is neither a workstream in raci.yaml nor a person, title, team or group in ops.yaml. "
                    + "Workstreams: \(matrix.workstreams.map(\.name).joined(separator: ", "))")
        }
    }

    static func workstream(_ stream: RACIMatrix.Workstream, config: OpsConfig) -> RACIWho {
        let letters = RACIMatrix.roles.map { role in
            (role, stream.names(role).map { Party(name: $0, people: config.party($0.lowercased())?.people ?? []) })
        }
        return RACIWho(name: stream.name, subject: .workstream, letters: letters, people: [], holdings: [])
    }

    /// For the terminal: one line per letter, or the people then the letters held.
    public var text: String {
        func person(_ person: Person) -> String { "\(person.name) (\(person.handle))" }
        var lines: [String] = []
        if subject == .workstream {
            lines.append(name)
            for (role, parties) in letters {
                let names = parties.map { party -> String in
                    if party.people.count == 1, party.people[0].handle.caseInsensitiveCompare(party.name) == .orderedSame { return person(party.people[0]) }
                    return party.people.isEmpty ? party.name : "\(party.name): " + party.people.map(person).joined(separator: ", ")
                }
                lines.append("\(Self.labels[role]!.padding(toLength: 12, withPad: " ", startingAt: 0)) \(names.isEmpty ? "–" : names.joined(separator: "; "))")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let who = people.isEmpty ? "nobody listed in ops.yaml" : people.map(person).joined(separator: ", ")
        lines.append("\(name) (\(subject.rawValue)): \(who)")
        if holdings.isEmpty {
            lines.append("Holds no letter in raci.yaml.")
        } else {
            for holding in holdings {
                let via = holding.via.caseInsensitiveCompare(name) == .orderedSame ? "" : " (as \(holding.via))"
                lines.append("\(Self.labels[holding.role]!.padding(toLength: 12, withPad: " ", startingAt: 0)) \(holding.workstream)\(via)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension OpsConfig {
    /// What a name in raci.yaml stands for, and the people behind it: a person (by handle or
    /// name), everyone with that title, everyone in that team, or a group (whose members ops.yaml
    /// does not list). `key` is lower case.
    func party(_ key: String) -> (subject: RACIWho.Subject, name: String, people: [Person])? {
        if let person = people.first(where: { $0.handle.lowercased() == key || $0.name.lowercased() == key }) {
            return (.person, person.handle, [person])
        }
        let titled = people.filter { $0.title?.lowercased() == key }
        if let title = titled.first?.title { return (.title, title, titled) }
        if let team = teams.first(where: { $0.name.lowercased() == key }) {
            return (.team, team.name, people.filter { $0.team?.lowercased() == key })
        }
        if let group = groups.first(where: { $0.lowercased() == key }) { return (.group, group, []) }
        return nil
    }
}
