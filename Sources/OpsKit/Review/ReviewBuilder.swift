import Foundation

/// Reads what one week's pack needs, as it stood at the week's end, and builds its sections in
/// the agenda's order, its charts and `incident_log.csv`.
struct ReviewBuilder {
    static let trendWeeks = 8

    /// What the pack is made of.
    struct Contents {
        var metrics: ReviewMetrics
        /// The SVG charts, by file name.
        var charts: [(name: String, svg: String)]
        var incidentLog: String
    }

    let workspace: Workspace
    let config: OpsConfig
    let week: ISOWeek
    let zone: TimeZone
    let interval: DateInterval
    /// `YYYY-MM-DD` of the week's seven days, in the team's zone.
    let days: Set<String>
    /// The last day whose work counts as done: the week's last day, or while it runs the day
    /// `asOf` falls on.
    let doneBy: String
    /// The last day whose due date has passed: the week's last day, or while it runs the day
    /// before `asOf`'s (a Monday preview does not call Friday's items overdue).
    let dueBy: String
    /// The moment the figures describe: the week's end; while the week runs, a minute after the
    /// newest change was recorded (a pack's own commits do not count), since a time typed with
    /// `--at` may run a minute ahead of its commit, but not later than now nor before the week
    /// began. A pack is a fact about its week, so what was recorded after this does not count;
    /// and two runs, on one clone or two, with the same history build the same bytes (within a
    /// minute of a change, the second one may come a minute later).
    let asOf: Date
    /// Which of those `asOf` is, for the pack's first line.
    let basis: AsOfBasis

    enum AsOfBasis {
        case weekEnd, lastChange, now, weekStart
    }
    var weekOver: Bool { asOf >= interval.end }
    /// When the pack judges what is overdue and in force, in words: `at the end of the week`, or
    /// while it runs `at 2026-11-24 10:16`.
    var judged: String { weekOver ? "at the end of the week" : "at \(LocalTime.format(asOf, zone: zone))" }
    /// What was recorded before this counts. The week's end belongs to the next week; while the
    /// week runs, what was recorded in the current second counts too (times are whole seconds).
    var recordedBefore: Date { weekOver ? interval.end : asOf.addingTimeInterval(1) }
    /// The trend's weeks, oldest first, ending with this one.
    let trendWeeks: [ISOWeek]

    init(workspace: Workspace, config: OpsConfig, week: ISOWeek) throws {
        self.workspace = workspace
        self.config = config
        self.week = week
        let zone = config.timeZone, interval = week.interval(in: config.timeZone)
        self.zone = zone
        self.interval = interval
        let now = workspace.clock()
        let ahead = try workspace.newestChange(by: now, notMadeBy: ReviewService.packAction).map { $0 + TimeInput.aheadAllowed }
        switch ahead {
        case _ where now >= interval.end: (asOf, basis) = (interval.end, .weekEnd)
        case let ahead? where ahead > now: (asOf, basis) = (max(interval.start, now), .now)
        case let ahead? where ahead > interval.start: (asOf, basis) = (ahead, .lastChange)
        default: (asOf, basis) = (interval.start, .weekStart)
        }
        let calendar = Calendar.gregorian(zone)
        let dayList = (0..<7).map { PostmortemService.day(calendar.date(byAdding: .day, value: $0, to: interval.start)!, zone: zone) }
        days = Set(dayList)
        // At the week's end these are both its last day.
        let judged = asOf >= interval.end ? interval.end : asOf
        doneBy = PostmortemService.day(judged - 1, zone: zone)
        dueBy = PostmortemService.day(calendar.date(byAdding: .day, value: -1, to: judged)!, zone: zone)
        trendWeeks = (0..<Self.trendWeeks).map { week.adding(weeks: $0 - (Self.trendWeeks - 1), zone: zone) }
    }

    func build() throws -> Contents {
        let kept = try keptIncidents()
        // One read of the history index serves the records and the incidents read again below.
        let records = try ReviewRecords(workspace, at: recordedBefore, zone: zone, incidents: Set(kept.map(\.path)))
        let (incidents, corrections) = try self.incidents(kept, history: records.recorded)
        let postmortems = try records.postmortems()
        let statuses = try sloStatuses()
        // Signal snapshots are filed by UTC week; the team's week of the same number is meant.
        let signals = try workspace.readWorkTreeFile(SLOCatalog.path) == nil ? nil : try SignalsService(workspace).status(week: week.description)
        let active = active(incidents)
        let since = trendWeeks[0].interval(in: zone).start
        var outputs: [ReviewOutput] = []

        let heading = ReviewHeading(
            week: week, interval: interval, asOf: asOf, basis: basis, zone: zone, team: config.team, corrections: corrections)
        let slos = SLOPostureSection(statuses, outputs: &outputs)
        let incidentsSection = IncidentsSection(
            opened: incidents.filter { $0.clock[.opened].map(interval.contains) ?? false }, active: active.count,
            config: config, trend: trendWeeks.map { ($0, stats(incidents, $0)) })
        let postmortemsSection = PostmortemsSection(
            postmortems: postmortems, recent: Set(incidents.filter { $0.clock[.opened].map { $0 >= since && $0 < interval.end } ?? false }.map(\.id)),
            requirements: try PostmortemService(workspace).requirements(of: incidents, postmortems: postmortems), interval: interval, zone: zone,
            judgedAt: min(asOf, interval.end), judged: judged, days: days, doneBy: doneBy, dueBy: dueBy, trendWeeks: Self.trendWeeks,
            outputs: &outputs)
        let signalsSection = SignalsSection(signals, week: week, zone: zone, outputs: &outputs)
        let cost = CostSection(signals, week: week, outputs: &outputs)
        let risks = RisksSection(
            statuses, decisions: try records.decisions(), week: week, judged: judged, days: days, dueBy: dueBy, outputs: &outputs)
        let backlog = BacklogSection(try records.backlog(), tags: config.backlogTags, judgedAt: min(asOf, interval.end), zone: zone, outputs: &outputs)
        let metrics = ReviewMetrics(
            heading: heading, definitions: ReviewDefinitions(clockStart: config.clockStart, trendWeeks: Self.trendWeeks),
            slos: slos, incidents: incidentsSection, postmortems: postmortemsSection, signals: signalsSection, cost: cost,
            risks: risks, backlog: backlog, raci: RACISection(try? RACIService(workspace).matrix()), outputs: OutputsSection(outputs))

        let drawing = ReviewCharts(workspace: workspace, week: week, zone: zone, interval: interval, trendWeeks: trendWeeks)
        var charts: [(name: String, svg: String)] = []
        if let svg = try drawing.budget(statuses) { charts.append((ReviewCharts.budgetName, svg)) }
        charts.append((ReviewCharts.responseName, drawing.response(incidentsSection.trend)))
        if let svg = try drawing.cost() { charts.append((ReviewCharts.costName, svg)) }
        return Contents(metrics: metrics, charts: charts, incidentLog: IncidentLog.csv(active, postmortems: postmortems, config: config))
    }

    /// The incidents whose life touches the trend's weeks (opened in them, settled in them, or
    /// still open), as the parse cache has them. At 100k incidents the rest never leaves the cache file.
    func keptIncidents() throws -> [Incident] {
        let since = trendWeeks[0].interval(in: zone).start, end = recordedBefore
        return try IncidentCatalog.load(workspace) { incident in
            guard let begin = incident.clock[.opened] ?? incident.clock[.detected] ?? incident.clock[.started] else { return true }
            guard begin < end else { return false }
            guard begin < since, incident.isSettled else { return true }
            return (incident.clock[.resolved] ?? incident.clock[.closed]).map { $0 >= since } ?? false
        }.incidents
    }

    /// `kept`, each as it stood at the week's end, and the clock points corrected after the week ended.
    func incidents(_ kept: [Incident], history: RecordedState) throws -> (incidents: [Incident], corrections: [Incident.Correction]) {
        // The parse cache keeps no timelines, and a reopen or a correction after the week's end
        // is only there. ops dates a timeline entry no later than the commit that records it (an
        // `--at` may be a minute ahead of now at most), so only the incidents a commit changed
        // from a minute before then on are read again, whole; the others are as the cache has them.
        let moment = recordedBefore.addingTimeInterval(-60)
        let reread = try IncidentCatalog.whole(kept.filter { try history.changed($0.path, since: moment) }, in: workspace)
        let byPath = Dictionary(reread.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let loaded = kept.map { byPath[$0.path] ?? $0 }
        // Each as it stood at the week's end: resolving it later does not take it out of "still open".
        return (loaded.compactMap { $0.asOf(recordedBefore) }, loaded.flatMap { $0.corrections(recordedSince: interval.end) })
    }

    /// Budget status at the end of the week; empty when the repository has no SLO catalog.
    func sloStatuses() throws -> [ErrorBudgetStatus] {
        guard try workspace.readWorkTreeFile(SLOCatalog.path) != nil else { return [] }
        return try SLOStatusService(workspace).status(at: asOf).slos
            .sorted { ($0.useCase, $0.sli) < ($1.useCase, $1.sli) }
    }

    /// Incidents (as of the week's end) whose life overlaps the week: opened in it, or not
    /// resolved at its start. Resolution settles an incident: one resolved the week before and
    /// closed in this one was not active in it.
    func active(_ incidents: [Incident]) -> [Incident] {
        incidents.filter { incident in
            guard let begin = incident.clock[.opened] ?? incident.clock[.detected] ?? incident.clock[.started], begin < interval.end else { return false }
            if interval.contains(begin) { return true }
            guard incident.isSettled else { return true }
            guard let end = incident.clock[.resolved] ?? incident.clock[.closed] else { return false }
            return end >= interval.start
        }.sorted { ($0.clock[.opened] ?? .distantPast, $0.id) < ($1.clock[.opened] ?? .distantPast, $1.id) }
    }

    func stats(_ incidents: [Incident], _ week: ISOWeek) -> ResponseStats {
        ResponseMetrics.compute(
            incidents, config: config, scope: week.interval(in: zone), scopeLabel: week.description,
            groupBy: nil, now: min(week.interval(in: zone).end, asOf))
    }
}
