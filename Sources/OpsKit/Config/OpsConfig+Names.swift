import Foundation

/// What a person typed for a severity, service, use case, person, role or tag, resolved against
/// ops.yaml: the one place every command reads these names, so they are spelled and refused
/// the same way everywhere. An unknown name is refused with the known ones listed.
extension OpsConfig {
    /// The id of the severity level `name` stands for (`sev-1`, `P1` → `SEV1`).
    func severityID(named name: String) throws -> String {
        if let level = severity(named: name) { return level.id }
        let known = severities.map { level in level.aliases.isEmpty ? level.id : "\(level.id) (\(level.aliases.joined(separator: ", ")))" }
        throw OpsError.input("unknown severity '\(name)'. Known: \(known.joined(separator: ", "))")
    }

    /// The service as ops.yaml spells it; any safe name while ops.yaml lists none.
    func serviceName(named name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if services.isEmpty {
            guard OpsConfigChecks.isName(trimmed) else {
                throw OpsError.input("'\(name)' is not a service name. Use letters, digits, dot, dash or underscore")
            }
            return trimmed
        }
        if let service = service(named: trimmed) { return service.name }
        throw OpsError.input("unknown service '\(name)'. Known: \(services.map(\.name).joined(separator: ", ")) (add others to ops.yaml)")
    }

    /// The use case as ops.yaml spells it; without `name`, the service when it is also a use case.
    func useCaseName(named name: String?, service: String) throws -> String? {
        guard let name else { return useCases.contains(service) ? service : nil }
        if useCases.isEmpty {
            guard OpsConfigChecks.isName(name) else { throw OpsError.input("'\(name)' is not a use case name") }
            return name
        }
        if let match = useCases.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return match }
        throw OpsError.input("unknown use case '\(name)'. Known: \(useCases.joined(separator: ", "))")
    }

    /// The handle of the person `name` is; any safe name while ops.yaml lists nobody.
    func personHandle(named name: String) throws -> String {
        if let person = person(name) { return person.handle }
        if people.isEmpty, OpsConfigChecks.isName(name) { return name }
        let known = people.map(\.handle).sorted().joined(separator: ", ")
        throw OpsError.input("unknown person '\(name)'. Known: \(known.isEmpty ? "nobody yet" : known) (add them to ops.yaml)")
    }

    /// The incident role as ops.yaml spells it (`ops lead` → `ops_lead`); `commander` always exists.
    func roleName(named name: String) throws -> String {
        let key = name.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        if let role = roles.first(where: { $0.lowercased() == key }) { return role }
        if key == "commander" { return key }
        throw OpsError.input("unknown role '\(name)'. Known: \((["commander"] + roles.filter { $0 != "commander" }).joined(separator: ", "))")
    }

    /// A backlog or decision tag, one of `backlog_tags` as ops.yaml spells it.
    func backlogTag(named text: String) throws -> String {
        if let tag = backlogTags.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) { return tag }
        throw OpsError.input("unknown tag '\(text)'. Allowed: \(backlogTags.joined(separator: ", ")) (backlog_tags in ops.yaml)")
    }

    /// An incident tag: free, but one word that fits a comma-separated list.
    static func incidentTag(_ text: String) throws -> String {
        let tag = text.trimmingCharacters(in: .whitespaces)
        guard !tag.isEmpty, !tag.contains(where: { $0.isNewline || $0 == "," }) else {
            throw OpsError.input("'\(text)' is not a tag. A tag is one word, like latency")
        }
        return tag
    }
}

/// Name rules shared by ops.yaml checks and command input.
enum OpsConfigChecks {
    /// Letters, digits, dot, dash, underscore: safe in a file, a YAML value and a command line.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 100 && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
    }
}
