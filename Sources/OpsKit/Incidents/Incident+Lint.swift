import Foundation

extension Incident {
    /// `ops lint` for one incident file: it reads, its clock points are in order, its timeline
    /// lines read as entries, and its severity and service are ones ops.yaml knows.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        if Postmortem.isFile(path) { return Postmortem.lint(path, text, config) }
        if AttachedRunbook.isFile(path) {
            return MarkdownDocument.lint(text, path: path, reading: AttachedRunbook.init(_:)) { _, runbook in runbook.problems }
        }
        guard path.hasSuffix("/incident.md") else { return Linter.frontMatterParses(path, text, config) }
        return MarkdownDocument.lint(text, path: path, reading: { try Incident($0) }) { document, incident in
            let yaml = document.frontMatter
            func at(_ key: String) -> Location { Location(path: path, line: yaml?.line(of: key)) }
            var problems: [Problem] = []
            let folder = (path as NSString).deletingLastPathComponent
            if (folder as NSString).lastPathComponent != incident.id {
                problems.append(Problem(at("id"), "id \(incident.id) does not match its folder \((folder as NSString).lastPathComponent)"))
            }
            for (earlier, later) in incident.clockOrderViolations {
                problems.append(
                    Problem(
                        at(later.key),
                        "\(later.key) \(Timestamp.format(incident.clock[later]!)) is before \(earlier.key) \(Timestamp.format(incident.clock[earlier]!))"))
            }
            if let latest = IncidentStatus.allCases.last(where: { incident.clock[$0.clockPoint] != nil }), incident.status < latest {
                problems.append(Problem(at("status"), "status is \(incident.status.rawValue) but \(latest.clockPoint.key) is set"))
            }
            if let config {
                if config.severity(named: incident.severity) == nil {
                    problems.append(
                        Problem(at("severity"), "unknown severity `\(incident.severity)`. Known: \(config.severities.map(\.id).joined(separator: ", "))"))
                }
                if let service = incident.service, !config.services.isEmpty, config.service(named: service) == nil {
                    problems.append(Problem(at("service"), "unknown service `\(service)`. Known: \(config.services.map(\.name).joined(separator: ", "))"))
                }
            }
            for bad in Timeline.parse(body: document.body, firstLine: document.bodyLine).problems {
                problems.append(Problem(Location(path: path, line: bad.line), "timeline line does not read as `- 2026-11-22T17:58:02Z who **event** text`"))
            }
            return problems
        }
    }
}
