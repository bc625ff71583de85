import Foundation

/// Where an event goes: the route that matched, and who held its rotation at that moment.
struct OnCallPage: Sendable, Equatable {
    var rotation: String
    var channel: String
    /// Nil when nobody holds the rotation then (before its start): the channel is still told.
    var person: String?
    /// The route's line in oncall.yaml, to say which rule sent it there.
    var routeLine: Int?
}

extension Route {
    /// True when every label the route names has the value it wants. Values compare without
    /// regard to case (`team: SRE` in ops.yaml matches `team: sre` in a route); an empty
    /// `match` matches everything.
    func matches(_ labels: [String: String]) -> Bool {
        match.allSatisfy { key, wanted in
            labels[key].map { $0.caseInsensitiveCompare(wanted) == .orderedSame } ?? false
        }
    }
}

extension OnCallSchedule {
    /// The first route that matches `labels`, and its rotation's primary at `instant`.
    func page(for labels: [String: String], at instant: Date) -> OnCallPage? {
        guard let route = routes.first(where: { $0.matches(labels) }) else { return nil }
        let rotation = self.rotation(named: route.rotation)?.name ?? route.rotation
        return OnCallPage(rotation: rotation, channel: route.channel, person: onCall(rotation, at: instant)?.person, routeLine: route.line)
    }
}

/// What a route can match on for an incident: the alert's own labels first, then what ops
/// knows of the incident (`service`, `severity`, `use_case`, and `team`, the owner of the
/// service in ops.yaml). A label the alert carries is never replaced.
enum RoutingLabels {
    static func of(
        alert: [String: String], service: String, severity: String, useCase: String?, config: OpsConfig
    ) -> [String: String] {
        var labels = alert
        labels["service"] = labels["service"] ?? service
        labels["severity"] = labels["severity"] ?? severity
        if let useCase { labels["use_case"] = labels["use_case"] ?? useCase }
        if labels["team"] == nil, let team = config.service(named: service)?.team { labels["team"] = team }
        return labels
    }
}

/// oncall.yaml as routing reads it when an incident opens. A file that does not read never keeps
/// an incident from opening: it opens unrouted, and its timeline says why.
struct IncidentRouting {
    /// Nil when the repository has no oncall.yaml, or it does not read.
    var schedule: OnCallSchedule?
    /// Why the file did not read, as `ops lint` would say it.
    var problem: String?

    static let none = IncidentRouting(schedule: nil, problem: nil)

    /// oncall.yaml as it is in the work tree, read like ops.yaml.
    static func load(_ workspace: Workspace, config: OpsConfig) -> IncidentRouting {
        do {
            guard let text = try workspace.readWorkTreeFile(OnCallSchedule.path) else { return .none }
            return IncidentRouting(schedule: try OnCallSchedule.load(text, config: config), problem: nil)
        } catch {
            return IncidentRouting(schedule: nil, problem: (error as? OpsError)?.message ?? "\(error)")
        }
    }

    /// The page for a new incident, and the timeline entry that records it (or says why there is none).
    func page(
        alert: [String: String], service: String, severity: String, useCase: String?, at instant: Date, config: OpsConfig
    ) -> (page: OnCallPage?, entry: TimelineEntry?) {
        if let problem {
            return (nil, TimelineEntry(at: instant, actor: "ops", kind: "note", text: "not routed: \(problem)"))
        }
        guard let schedule else { return (nil, nil) }
        let labels = RoutingLabels.of(alert: alert, service: service, severity: severity, useCase: useCase, config: config)
        guard let page = schedule.page(for: labels, at: instant) else {
            return (nil, TimelineEntry(at: instant, actor: "ops", kind: "note", text: "not routed: no route in \(OnCallSchedule.path) matches it"))
        }
        let who = page.person.map { "\($0) (\(page.rotation))" } ?? "nobody: \(page.rotation) has no one on call now"
        return (page, TimelineEntry(at: instant, actor: "ops", kind: "paged", text: "\(who), announced in \(page.channel)"))
    }
}
