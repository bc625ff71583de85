import Foundation
import GitStore

/// Who is making a change: the handle timelines show, and the name and email Git records.
public struct Author: Sendable, Equatable {
    public var handle: String
    public var name: String
    public var email: String

    public init(handle: String, name: String, email: String) {
        self.handle = handle
        self.name = name
        self.email = email
    }

    /// Finds the author: `--as`, then `OPS_USER`, then Git's `user.name` and `user.email`.
    /// `--as` and `OPS_USER` take a handle from ops.yaml or `Name <email>`.
    public static func resolve(
        explicit: String?,
        environment: [String: String],
        people: [Person],
        gitConfig: (String) throws -> String?
    ) throws -> Author {
        if let spec = explicit ?? environment["OPS_USER"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let source = explicit != nil ? "--as" : "OPS_USER"
            return try parse(spec, source: source, people: people)
        }
        if let name = try gitConfig("user.name"), let email = try gitConfig("user.email"), !name.isEmpty, !email.isEmpty {
            let person = people.first { $0.email.caseInsensitiveCompare(email) == .orderedSame }
            return Author(handle: person?.handle ?? handle(fromEmail: email), name: name, email: email)
        }
        throw OpsError.input("who is making this change? Pass --as HANDLE, set OPS_USER, or set git config --global user.name and user.email")
    }

    private static func parse(_ spec: String, source: String, people: [Person]) throws -> Author {
        let text = spec.trimmingCharacters(in: .whitespaces)
        if text.contains("\0") || text.contains("\n") { throw OpsError.input("\(source) holds a line break or NUL byte") }
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            guard !name.isEmpty, email.contains("@") else {
                throw OpsError.input("\(source) '\(spec)' is not `Name <email>`; for example --as 'Alice Martin <alice@example.com>'")
            }
            let person = people.first { $0.email.caseInsensitiveCompare(email) == .orderedSame }
            return Author(handle: person?.handle ?? handle(fromEmail: email), name: name, email: email)
        }
        if let person = people.first(where: { $0.handle.caseInsensitiveCompare(text) == .orderedSame }) {
            return Author(handle: person.handle, name: person.name, email: person.email)
        }
        let known = people.map(\.handle).sorted()
        let list = known.isEmpty ? "ops.yaml lists nobody yet" : "known: \(known.joined(separator: ", "))"
        throw OpsError.input("\(source) '\(spec)' is not a person in ops.yaml (\(list)). Add them under people:, or pass --as 'Name <email>'")
    }

    private static func handle(fromEmail email: String) -> String {
        String(email.split(separator: "@").first ?? Substring(email))
    }
}
