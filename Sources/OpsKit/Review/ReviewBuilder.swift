import Foundation

/// Gathers one week's figures section by section, in the agenda's order, into the template's
/// values (Markdown-safe strings) and `metrics.json` (raw numbers, seconds, ratios).
struct ReviewBuilder {
    static let trendWeeks = 8

    let workspace: Workspace
    let config: OpsConfig
    let week: ISOWeek
    let zone: TimeZone
    let interval: DateInterval
    /// `YYYY-MM-DD` of the week's seven days, in the team's zone.
    let days: Set<String>
    /// The last day of the week: a due date before or on it has passed by the week's end.
    let lastDay: String
    /// The moment the figures describe: the week's end, or now while the week is not over.
    /// A pack is a fact about its week, so what was recorded after this does not count.
    let asOf: Date
    var weekOver: Bool { asOf >= interval.end }
    /// What was recorded before this counts. The week's end belongs to the next week; while the
    /// week runs, what was recorded in the current second counts too (times are whole seconds).
    var recordedBefore: Date { weekOver ? interval.end : asOf.addingTimeInterval(1) }

    var values: [String: Any] = [:]
    var json: [String: ReviewValue] = [:]
    var incidentLog = ""
    /// What the meeting should record, gathered while the sections are built.
    var outputs: [(kind: String, text: String)] = []
    /// The SVG charts, by file name; `pack.md` links them, `pack.html` holds them inline.
    var charts: [(name: String, svg: String)] = []

    init(workspace: Workspace, config: OpsConfig, week: ISOWeek) {
        self.workspace = workspace
        self.config = config
        self.week = week
        let zone = config.timeZone, interval = week.interval(in: config.timeZone)
        self.zone = zone
        self.interval = interval
        asOf = min(interval.end, workspace.clock())
        let calendar = Calendar.gregorian(zone)
        let dayList = (0..<7).map { PostmortemService.day(calendar.date(byAdding: .day, value: $0, to: interval.start)!, zone: zone) }
        days = Set(dayList)
        lastDay = dayList.last!
    }

    mutating func collect() throws {
        // Only what the pack can show: incidents whose life touches the trend's weeks (opened in
        // them, settled in them, or still open). At 100k incidents the rest never leaves the cache file.
        let since = week.adding(weeks: -(Self.trendWeeks - 1), zone: zone).interval(in: zone).start, end = recordedBefore
        let loaded = try IncidentCatalog.load(workspace) { incident in
            guard let begin = incident.clock[.opened] ?? incident.clock[.detected] ?? incident.clock[.started] else { return true }
            guard begin < end else { return false }
            guard begin < since, incident.isSettled else { return true }
            return (incident.clock[.resolved] ?? incident.clock[.closed]).map { $0 >= since } ?? false
        }.incidents.map { incident in
            // The parse cache keeps no timelines, and a reopen or a correction after the week's end
            // is only there; the few incidents kept are read again, whole.
            try Incident(MarkdownDocument(workspace.committedText(incident.path) ?? "", path: incident.path))
        }
        // Each as it stood at the week's end: resolving it later does not take it out of "still open".
        let incidents = loaded.compactMap { $0.asOf(recordedBefore) }
        let corrections = loaded.flatMap { $0.corrections(recordedSince: interval.end) }
            .sorted { ($0.incident, $0.at, $0.point) < ($1.incident, $1.at, $1.point) }
        let records = try ReviewRecords(workspace, at: recordedBefore, zone: zone)
        let postmortems = try records.postmortems()
        let statuses = try sloStatuses()
        values["week"] = week.description
        values["start"] = LocalTime.format(interval.start, zone: zone)
        values["end"] = LocalTime.format(interval.end, zone: zone)
        values["zone"] = zone.identifier
        values["team"] = ReviewMarkdown.text(config.team)
        values["as_of"] = weekOver ? "figures as of the end of the week" : "figures as of \(LocalTime.format(asOf, zone: zone))"
        correctionsNote(corrections)
        json["schema_version"] = .int(ReviewPack.schemaVersion)
        json["week"] = .string(week.description)
        json["start"] = .string(Timestamp.format(interval.start))
        json["end"] = .string(Timestamp.format(interval.end))
        json["timezone"] = .string(zone.identifier)
        json["as_of"] = .string(Timestamp.format(asOf))
        json["week_over"] = .bool(weekOver)

        sloPosture(statuses)
        if let svg = try budgetChart(statuses) { charts.append((Self.budgetChart, svg)) }
        incidentsSection(incidents, postmortems: postmortems)
        try postmortemSection(incidents, postmortems: postmortems)
        try signalsSection()
        try decisionsSection(statuses, decisions: records.decisions())
        try backlogSection(records.backlog())
        raciSection()
        outputsSection()
        if let svg = try costChart() { charts.append((Self.costChart, svg)) }
        for (name, key) in [(Self.budgetChart, "chart_budget"), (Self.responseChart, "chart_response"), (Self.costChart, "chart_cost")] {
            values[key] = charts.contains { $0.name == name }
        }
        incidentLog = Self.incidentLog(active(incidents), postmortems: postmortems, config: config)
        // `{{#slos_any}}` opens a table only when it has rows: mustache has no "is empty" test.
        for (key, value) in values {
            if let list = value as? [Any] { values[key + "_any"] = !list.isEmpty }
        }
    }

    // MARK: 1. SLO posture

    /// Budget status at the end of the week; empty when the repository has no SLO catalog.
    func sloStatuses() throws -> [ErrorBudgetStatus] {
        guard try workspace.readWorkTreeFile(SLOCatalog.path) != nil else { return [] }
        return try SLOStatusService(workspace).status(at: asOf).slos
            .sorted { ($0.useCase, $0.sli) < ($1.useCase, $1.sli) }
    }

    mutating func sloPosture(_ statuses: [ErrorBudgetStatus]) {
        var rows: [[String: Any]] = []
        var items: [ReviewValue] = []
        for status in statuses {
            let windowRate = status.burnRates.first { $0.span == .window }?.rate
            let colour = status.total > 0 ? (status.colour?.rawValue ?? "green") : "no data"
            let freeze = ReleaseFreeze(crossed: status.crossed)
            rows.append([
                "use_case": ReviewMarkdown.text(status.useCase), "sli": ReviewMarkdown.text(status.sli),
                "objective": ReviewMarkdown.percent(SLONumber.double(status.objective), digits: 3),
                "window": ReviewMarkdown.text(status.window.description),
                "consumed": ReviewMarkdown.percent(status.consumed), "remaining": ReviewMarkdown.percent(status.remaining),
                "burn_rate": windowRate.map { String(format: "%.2f", $0) } ?? "–",
                "colour": colour.uppercased(),
                "actions": status.actions.isEmpty ? "–" : ReviewMarkdown.text(status.actions.joined(separator: ", ")),
            ])
            items.append(.object([
                "use_case": .string(status.useCase), "sli": .string(status.sli),
                "objective": .number(SLONumber.double(status.objective)), "window": .string(status.window.description),
                "good": .number(SLONumber.double(status.good)), "total": .number(SLONumber.double(status.total)),
                "budget_consumed": .optional(status.consumed), "budget_remaining": .optional(status.remaining),
                "burn_rate_window": .optional(windowRate), "colour": status.total > 0 ? .optional(status.colour?.rawValue ?? "green") : .null,
                "actions": .array(status.actions.map { .string($0) }),
                "freeze": .string(freeze.scope.rawValue),
            ]))
            if status.total > 0, let colour = status.colour, colour != .green {
                let due = status.actions.isEmpty ? "" : "; policy actions due: \(status.actions.joined(separator: ", "))"
                outputs.append(("decision", "\(status.useCase) \(status.sli) is \(colour.rawValue.uppercased()) with \(ReviewMarkdown.percent(status.consumed)) of its budget used\(due): confirm the actions and who owns them"))
            }
        }
        values["slos"] = rows
        values["slo_none"] = statuses.isEmpty ? "No SLO data for this week: no slo/catalog.yaml, or nothing imported (ops slo import)." : ""
        json["slos"] = .array(items)
    }

    // MARK: 2. Incidents

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

    static let responseMetrics: [(ResponseMetric, String)] = [(.timeToAcknowledge, "TTA"), (.timeToMitigate, "TTM"), (.timeToResolve, "TTR")]

    func stats(_ incidents: [Incident], _ week: ISOWeek) -> ResponseStats {
        ResponseMetrics.compute(incidents, config: config, scope: week.interval(in: zone), scopeLabel: week.description,
                                groupBy: nil, now: min(week.interval(in: zone).end, asOf))
    }

    /// One line per incident whose clock point was corrected after the week ended, to or from a
    /// time before its end: the one thing that may change a past week's pack, so it says so.
    mutating func correctionsNote(_ corrections: [Incident.Correction]) {
        func time(_ date: Date?) -> String { date.map { LocalTime.format($0, zone: zone) } ?? "unset" }
        let byIncident = Dictionary(grouping: corrections, by: \.incident)
        values["corrections"] = byIncident.keys.sorted().map { id -> [String: Any] in
            let text = byIncident[id]!.map { "\($0.point) \(time($0.before)) → \(time($0.after)) (\(ReviewMarkdown.text($0.by)), \(time($0.at)))" }
            return ["incident": id, "text": text.joined(separator: "; ")]
        }
        json["corrections"] = .array(corrections.map { correction in
            .object(["incident": .string(correction.incident), "point": .string(correction.point),
                     "before": .optional(correction.before.map(Timestamp.format)), "after": .string(Timestamp.format(correction.after)),
                     "at": .string(Timestamp.format(correction.at)), "by": .string(correction.by)])
        })
    }

    mutating func incidentsSection(_ incidents: [Incident], postmortems: [String: Postmortem]) {
        let opened = incidents.filter { $0.clock[.opened].map(interval.contains) ?? false }
        let active = active(incidents)
        // Count by severity: every level of ops.yaml (zeros too, so weeks compare), then unknown ones.
        var counts: [(String, Int)] = config.severities.map { level in (level.id, opened.filter { config.severity(named: $0.severity)?.id == level.id }.count) }
        let unknown = Dictionary(grouping: opened.filter { config.severity(named: $0.severity) == nil }, by: \.severity)
        counts += unknown.keys.sorted().map { ($0, unknown[$0]!.count) }
        values["severities"] = counts.map { ["severity": ReviewMarkdown.text($0.0), "count": $0.1] as [String: Any] }
        values["opened"] = opened.count
        values["active"] = active.count
        values["incidents_none"] = active.isEmpty ? "No incidents were open during this week." : ""

        let current = stats(incidents, week)
        let previous = stats(incidents, week.adding(weeks: -1, zone: zone))
        let all = current.groups[0], before = previous.groups[0]
        values["response"] = Self.responseMetrics.map { metric, label -> [String: Any] in
            let now = all[metric], then = before[metric]
            return ["metric": label, "name": metric.rawValue.replacingOccurrences(of: "_", with: " "),
                    "n": now.count, "missing": now.missing,
                    "median": ReviewMarkdown.duration(now.median), "p90": ReviewMarkdown.duration(now.p90),
                    "median_change": ReviewMarkdown.change(now.median, then.median), "p90_change": ReviewMarkdown.change(now.p90, then.p90)]
        }
        values["counted"] = all.incidents
        values["settled"] = all.settled
        // Each figure has its own n now: flag the ones resting on too few incidents.
        let small = Self.responseMetrics.filter { all[$0.0].smallSample }.map(\.1)
        values["small_sample"] = small.isEmpty ? "" : "Fewer than \(ResponseMetrics.smallSample) incidents behind \(small.joined(separator: ", ")): one outlier moves \(small.count == 1 ? "it" : "them")."
        values["definitions"] = ResponseMetric.allCases.map { ["metric": $0.rawValue.replacingOccurrences(of: "_", with: " "),
                                                               "definition": ReviewMarkdown.text($0.definition(clockStart: config.clockStart))] }
        values["open_incidents"] = current.open.map { ["id": $0.id, "title": ReviewMarkdown.text($0.title), "severity": ReviewMarkdown.text($0.severity),
                                                       "status": $0.status.rawValue] }
        values["data_errors"] = current.dataErrors.map { ["id": $0.id, "problem": ReviewMarkdown.text($0.problem)] }

        func summary(_ summary: ResponseStats.MetricSummary) -> ReviewValue {
            .object(["count": .int(summary.count), "missing": .int(summary.missing),
                     "median_seconds": .optional(summary.median), "p90_seconds": .optional(summary.p90)])
        }
        var trendRows: [[String: Any]] = []
        var trendItems: [ReviewValue] = []
        var trendWeeks: [ISOWeek] = []
        var medians: [ResponseMetric: [Double?]] = [:]
        for offset in stride(from: -(Self.trendWeeks - 1), through: 0, by: 1) {
            let each = week.adding(weeks: offset, zone: zone)
            let group = stats(incidents, each).groups[0]
            trendWeeks.append(each)
            for (metric, _) in Self.responseMetrics { medians[metric, default: []].append(group[metric].median) }
            trendRows.append(["week": each.description, "n": group.incidents,
                              "tta": ReviewMarkdown.duration(group[.timeToAcknowledge].median),
                              "ttm": ReviewMarkdown.duration(group[.timeToMitigate].median),
                              "ttr": ReviewMarkdown.duration(group[.timeToResolve].median),
                              "ttr_p90": ReviewMarkdown.duration(group[.timeToResolve].p90)])
            var metrics: [String: ReviewValue] = [:]
            for (metric, _) in Self.responseMetrics { metrics[metric.rawValue] = summary(group[metric]) }
            trendItems.append(.object(["week": .string(each.description), "incidents": .int(group.incidents), "settled": .int(group.settled),
                                       "metrics": .object(metrics)]))
        }
        values["trend"] = trendRows
        charts.append((Self.responseChart, responseChart(weeks: trendWeeks, medians: medians)))

        var response: [String: ReviewValue] = [:]
        for (metric, _) in Self.responseMetrics {
            let now = all[metric], then = before[metric]
            func delta(_ a: Double?, _ b: Double?) -> ReviewValue { a.flatMap { a in b.map { .number(a - $0) } } ?? .null }
            response[metric.rawValue] = .object([
                "count": .int(now.count), "missing": .int(now.missing),
                "median_seconds": .optional(now.median), "p90_seconds": .optional(now.p90),
                "previous_median_seconds": .optional(then.median), "previous_p90_seconds": .optional(then.p90),
                "median_change_seconds": delta(now.median, then.median), "p90_change_seconds": delta(now.p90, then.p90),
            ])
        }
        var bySeverity: [String: ReviewValue] = [:]
        for (severity, count) in counts { bySeverity[severity] = .int(count) }
        json["incidents"] = .object([
            "opened": .int(opened.count), "active": .int(active.count), "counted": .int(all.incidents), "settled": .int(all.settled),
            "small_sample": .bool(all.smallSample), "by_severity": .object(bySeverity),
            "clock_start": .string(config.clockStart.rawValue), "response": .object(response),
            "trend": .array(trendItems),
            "open": .array(current.open.map { .object(["id": .string($0.id), "title": .string($0.title), "severity": .string($0.severity),
                                                       "status": .string($0.status.rawValue)]) }),
            "data_errors": .array(current.dataErrors.map { .object(["id": .string($0.id), "problem": .string($0.problem)]) }),
        ])
        json["definitions"] = .object(Dictionary(uniqueKeysWithValues: ResponseMetric.allCases.map {
            ($0.rawValue, .string($0.definition(clockStart: config.clockStart)))
        }) .merging([
            "budget_consumed": .string("bad / ((1 − objective) × total) over the policy's window, at the end of the week"),
            "burn_rate_window": .string("error ratio / (1 − objective) over the window; 1 spends exactly the budget"),
            "median": .string("the middle value; the mean of the two middle values for an even count"),
            "p90": .string("nearest rank: the smallest value with at least 90 % of values at or below it"),
            "active_incident": .string("opened in the week, or opened before it and not resolved at its start"),
            "as_of": .string("every figure is the state at the week's end (or now, while the week is not over); clock points, postmortems, decisions and backlog items recorded later do not count, a clock point corrected later does and is listed in corrections"),
            "ucr_usd": .string("spend_usd / requests, each summed over the week (UTC)"),
            "overdue": .string("past its due day at the end of the week (team time zone) and not finished"),
            "root_causes": .string("postmortems of incidents opened in the \(Self.trendWeeks) weeks ending with this one, by root_cause_category"),
        ]) { a, _ in a })
    }

    // MARK: 2b. Postmortems, root causes, action items

    mutating func postmortemSection(_ incidents: [Incident], postmortems: [String: Postmortem]) throws {
        // Top root causes over the trend's weeks: one week rarely has enough postmortems to rank.
        let since = week.adding(weeks: -(Self.trendWeeks - 1), zone: zone).interval(in: zone).start
        let recent = Set(incidents.filter { $0.clock[.opened].map { $0 >= since && $0 < interval.end } ?? false }.map(\.id))
        var causes: [String: (count: Int, incidents: [String])] = [:]
        for (id, postmortem) in postmortems where recent.contains(id) {
            guard let category = postmortem.rootCauseCategory?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !category.isEmpty else { continue }
            causes[category, default: (0, [])].count += 1
            causes[category, default: (0, [])].incidents.append(id)
        }
        let top = causes.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(3)
        values["root_causes"] = top.enumerated().map { index, entry in
            ["rank": index + 1, "category": ReviewMarkdown.text(entry.key), "count": entry.value.count,
             "incidents": entry.value.incidents.sorted().joined(separator: ", ")] as [String: Any]
        }
        values["root_causes_none"] = top.isEmpty ? "No postmortem of the last \(Self.trendWeeks) weeks names a root_cause_category." : ""

        // Postmortems due under the ops.yaml policy, judged at the end of the week.
        let calendar = Calendar.gregorian(zone)
        var late: [[String: Any]] = []
        var lateItems: [ReviewValue] = []
        for requirement in try PostmortemService(workspace).requirements(of: incidents, postmortems: postmortems) where requirement.resolvedAt < interval.end {
            let normalized = Postmortem.status(named: requirement.status) ?? requirement.status
            let finished = normalized == "Reviewed" || normalized == "Closed"
            let overdue = !finished && (TimeInput.day(requirement.due, zone: zone).map { interval.end >= calendar.date(byAdding: .day, value: 1, to: $0)! } ?? false)
            guard requirement.status == "missing" || overdue else { continue }
            let state = requirement.status == "missing" ? (overdue ? "missing, overdue" : "missing") : "overdue (\(requirement.status))"
            late.append(["incident": requirement.incident, "title": ReviewMarkdown.text(requirement.title), "severity": ReviewMarkdown.text(requirement.severity),
                         "due": requirement.due, "state": ReviewMarkdown.text(state)])
            lateItems.append(.object(["incident": .string(requirement.incident), "severity": .string(requirement.severity), "due": .string(requirement.due),
                                      "status": .string(requirement.status), "overdue": .bool(overdue)]))
            outputs.append(("owner", "Postmortem for \(requirement.incident) (\(requirement.severity), due \(requirement.due)) is \(state): confirm its author and date"))
        }
        values["postmortems_late"] = late
        values["postmortems_none"] = late.isEmpty ? "Every required postmortem is written and on time." : ""

        // Action items of every postmortem: open, overdue at the week's end, done in the week
        // (by the done:YYYY-MM-DD day on the line), done in all.
        var open = 0, done = 0, undated = 0
        var overdueRows: [[String: Any]] = []
        var overdueItems: [ReviewValue] = []
        var doneThisWeek: [(day: String, incident: String, text: String, owner: String?)] = []
        var overdueOwners = Set<String>()
        for id in postmortems.keys.sorted() {
            for item in postmortems[id]!.actionItems {
                let text = Self.actionText(item.text)
                // Ticked after the week (a postmortem copied in later carries today's ticks): open then.
                if item.done, item.doneOn.map({ $0 <= lastDay }) ?? true {
                    done += 1
                    guard let day = item.doneOn else { undated += 1; continue }
                    guard days.contains(day) else { continue }
                    doneThisWeek.append((day, id, text, item.owner))
                    continue
                }
                open += 1
                guard let due = item.due, due <= lastDay else { continue }  // its day ended by the week's end
                overdueOwners.insert(item.owner ?? "none named")
                overdueRows.append(["incident": id, "text": ReviewMarkdown.text(text), "owner": ReviewMarkdown.text(item.owner ?? "–"), "due": ReviewMarkdown.text(due)])
                overdueItems.append(.object(["incident": .string(id), "text": .string(text), "owner": .optional(item.owner), "due": .string(due)]))
            }
        }
        overdueRows.sort { ($0["due"] as! String, $0["incident"] as! String) < ($1["due"] as! String, $1["incident"] as! String) }
        doneThisWeek.sort { ($0.day, $0.incident, $0.text) < ($1.day, $1.incident, $1.text) }
        let doneRows = doneThisWeek.map { ["incident": $0.incident, "text": ReviewMarkdown.text($0.text), "owner": ReviewMarkdown.text($0.owner ?? "–"),
                                           "done": ReviewMarkdown.text($0.day)] }
        let doneItems: [ReviewValue] = doneThisWeek.map { .object(["incident": .string($0.incident), "text": .string($0.text),
                                                                   "owner": .optional($0.owner), "done": .string($0.day)]) }
        if !overdueItems.isEmpty {
            let owners = overdueOwners.sorted().joined(separator: ", ")
            outputs.append(("owner", "\(overdueItems.count) action items overdue (owners: \(owners)): each owner confirms the item or a new due date"))
        }
        values["actions_open"] = open
        values["actions_done"] = done
        values["actions_done_week"] = doneRows.count
        values["actions_undated"] = undated > 0 ? "\(undated) ticked without a done: day (`ops backlog sync` writes it), not counted in any week." : ""
        values["actions_overdue"] = overdueRows.count
        values["actions_overdue_rows"] = overdueRows
        values["actions_done_rows"] = doneRows
        json["postmortems"] = .object([
            "late": .array(lateItems),
            "root_causes": .array(top.map { .object(["category": .string($0.key), "count": .int($0.value.count),
                                                     "incidents": .array($0.value.incidents.sorted().map { .string($0) })]) }),
            "action_items": .object(["open": .int(open), "done": .int(done), "done_this_week": .int(doneItems.count), "done_undated": .int(undated),
                                     "overdue": .int(overdueRows.count), "overdue_items": .array(overdueItems), "done_this_week_items": .array(doneItems)]),
        ])
    }

    /// An action item as a person reads it: without its backlog link comment.
    static func actionText(_ text: String) -> String {
        var text = text
        if let range = text.range(of: "<!--") { text = String(text[..<range.lowerBound]) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    // MARK: 3 and 4. Drift, data quality, cost

    mutating func signalsSection() throws {
        var report: SignalsReport?
        if try workspace.readWorkTreeFile(SLOCatalog.path) != nil {
            // Signal snapshots are filed by UTC week; the team's week of the same number is meant.
            report = try SignalsService(workspace).status(week: week.description)
        }
        var rows: [[String: Any]] = []
        var breaches: [ReviewValue] = []
        var costRows: [[String: Any]] = []
        var costs: [ReviewValue] = []
        for useCase in (report?.useCases ?? []).sorted(by: { $0.useCase < $1.useCase }) {
            for check in useCase.breaches where check.area != .cost {
                let value = SignalFormat.value(check.value, unit: check.unit)
                rows.append(["area": check.area.label, "use_case": ReviewMarkdown.text(useCase.useCase), "metric": ReviewMarkdown.text(check.metric),
                             "value": ReviewMarkdown.text(value), "threshold": ReviewMarkdown.text(check.breachText), "level": ReviewMarkdown.text(check.level),
                             "at": check.at.map { LocalTime.format($0, zone: zone) } ?? "–",
                             "readings": "\(check.breachingReadings)/\(check.readings)", "channel": ReviewMarkdown.text(check.channel ?? "–")])
                breaches.append(.object([
                    "area": .string(check.area.rawValue), "use_case": .string(useCase.useCase), "metric": .string(check.metric), "unit": .string(check.unit),
                    "value": .number(SLONumber.double(check.value)), "breach_when": .string(check.breachWhen.comparison),
                    "threshold": .number(SLONumber.double(check.breachWhen.value)), "level": .string(check.level),
                    "at": .optional(check.at.map(Timestamp.format)), "readings": .int(check.readings), "breaching_readings": .int(check.breachingReadings),
                    "channel": .optional(check.channel),
                ]))
                outputs.append(("owner", "\(useCase.useCase) \(check.metric) \(value) (\(check.breachText), \(check.level)): confirm who follows it up"))
            }
            if let cost = useCase.unitCost, cost.requests > 0 {
                let ucr = cost.ucr
                let over = cost.target.map { ucr > $0 }
                costRows.append(["use_case": ReviewMarkdown.text(useCase.useCase), "ucr": SignalFormat.value(ucr, unit: "usd"),
                                 "target": cost.target.map { SignalFormat.value($0, unit: "usd") } ?? "–",
                                 "previous": cost.previous.map { SignalFormat.value($0, unit: "usd") } ?? "–",
                                 "change": ReviewMarkdown.signedPercent(cost.change),
                                 "verdict": over.map { $0 ? "OVER target" : "within target" } ?? "no target"])
                costs.append(.object([
                    "use_case": .string(useCase.useCase), "spend_usd": .number(SLONumber.double(cost.spend)), "requests": .number(SLONumber.double(cost.requests)),
                    "ucr_usd": .number(SLONumber.double(ucr)), "target_usd": cost.target.map { .number(SLONumber.double($0)) } ?? .null,
                    "previous_ucr_usd": cost.previous.map { .number(SLONumber.double($0)) } ?? .null, "change": .optional(cost.change),
                    "over_target": over.map { .bool($0) } ?? .null,
                ]))
                if over == true { outputs.append(("decision", "\(useCase.useCase) unit cost \(SignalFormat.value(ucr, unit: "usd")) is over its target: decide what to change")) }
            }
        }
        values["breaches"] = rows
        values["breaches_none"] = report == nil ? "No signal data: no slo/catalog.yaml." : rows.isEmpty ? "No drift, data-quality, safety or reliability threshold crossed in \(week) (readings filed by UTC week)." : ""
        values["costs"] = costRows
        values["costs_none"] = costRows.isEmpty ? "No cost readings (spend_usd and requests) for \(week)." : ""
        json["signals"] = .object(["breaches": .array(breaches), "readings": .int(report?.useCases.reduce(0) { $0 + $1.readings } ?? 0)])
        json["cost"] = .array(costs)
    }

    // MARK: 5. Risks and decisions

    mutating func decisionsSection(_ statuses: [ErrorBudgetStatus], decisions: [Decision]) throws {
        var freezes: [[String: Any]] = []
        var freezeItems: [ReviewValue] = []
        for status in statuses where status.total > 0 {
            let freeze = ReleaseFreeze(crossed: status.crossed)
            guard freeze.scope != .none, let action = freeze.action else { continue }
            let at = freeze.threshold.map { SLONumber.percentText($0) } ?? "–"
            freezes.append(["use_case": ReviewMarkdown.text(status.useCase), "scope": freeze.scope == .all ? "every release" : "non-critical releases",
                            "action": ReviewMarkdown.text(action), "at": at, "consumed": ReviewMarkdown.percent(status.consumed)])
            freezeItems.append(.object(["use_case": .string(status.useCase), "scope": .string(freeze.scope.rawValue), "action": .string(action),
                                        "at": freeze.threshold.map { .number(SLONumber.double($0)) } ?? .null]))
            outputs.append(("decision", "\(status.useCase): \(action) is in force (\(ReviewMarkdown.percent(status.consumed)) of the budget used): keep it, or lift it and say why"))
        }
        let decisions = decisions.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        func row(_ decision: Decision) -> [String: Any] {
            ["id": decision.id, "title": ReviewMarkdown.text(decision.title), "status": ReviewMarkdown.text(decision.status),
             "date": ReviewMarkdown.text(decision.date), "owner": ReviewMarkdown.text(decision.owner ?? "–"), "due": ReviewMarkdown.text(decision.due ?? "–"),
             "deciders": ReviewMarkdown.text(decision.deciders.joined(separator: ", "))]
        }
        func item(_ decision: Decision) -> ReviewValue {
            .object(["id": .string(decision.id), "title": .string(decision.title), "status": .string(decision.status), "date": .string(decision.date),
                     "owner": .optional(decision.owner), "due": .optional(decision.due)])
        }
        let ofWeek = decisions.filter { days.contains($0.date) || $0.reviews.contains(week.description) }
        let exceptions = ofWeek.filter(\.isReleaseException)
        let made = ofWeek.filter { !$0.isReleaseException }
        // A decision past its due day while still only proposed: the meeting has to take it.
        let pastDue = decisions.filter { $0.status == "proposed" && ($0.due.map { $0 <= lastDay } ?? false) }
        for decision in pastDue { outputs.append(("decision", "\(decision.id) \"\(decision.title)\" was due \(decision.due!): accept, reject or set a new date")) }
        values["freezes"] = freezes
        values["freezes_none"] = freezes.isEmpty ? "No release freeze in force at the end of the week." : ""
        values["exceptions"] = exceptions.map(row)
        values["exceptions_none"] = exceptions.isEmpty ? "No release exception granted." : ""
        values["decisions"] = made.map(row)
        values["decisions_none"] = made.isEmpty ? "No decision made or linked to \(week)." : ""
        values["decisions_past_due"] = pastDue.map(row)
        values["past_due_none"] = pastDue.isEmpty ? "No proposed decision is past its due date." : ""
        json["risks"] = .object(["freezes": .array(freezeItems), "release_exceptions": .array(exceptions.map(item)),
                                 "decisions": .array(made.map(item)), "decisions_past_due": .array(pastDue.map(item))])
    }

    // MARK: 6. Backlog

    mutating func backlogSection(_ backlog: [BacklogItem]) throws {
        let wanted = Set(config.backlogTags.map { $0.lowercased() })
        // Sorted as `ops backlog list` sorts them.
        let items = BacklogService.sorted(backlog).filter { item in item.isOpen && item.tags.contains { wanted.contains($0.lowercased()) } }
        let end = interval.end
        var rows: [[String: Any]] = []
        for item in items {
            let overdue = item.isOverdue(now: end, zone: zone)
            rows.append(["priority": ReviewMarkdown.text(item.priority ?? "–"), "id": item.id, "title": ReviewMarkdown.text(item.title),
                         "tags": ReviewMarkdown.text(item.tags.joined(separator: ", ")), "owner": ReviewMarkdown.text(item.owner ?? "–"),
                         "due": ReviewMarkdown.text(item.due ?? "–") + (overdue ? " (overdue)" : ""), "status": ReviewMarkdown.text(item.status)])
            if item.owner == nil { outputs.append(("owner", "\(item.id) \"\(item.title)\" has no owner: name one")) }
        }
        values["backlog"] = rows
        values["backlog_none"] = rows.isEmpty ? "No open backlog item tagged \(config.backlogTags.joined(separator: ", "))." : ""
        values["backlog_tags"] = ReviewMarkdown.text(config.backlogTags.joined(separator: ", "))
        json["backlog"] = .array(items.map { item in
            .object(["id": .string(item.id), "title": .string(item.title), "priority": .optional(item.priority), "status": .string(item.status),
                     "owner": .optional(item.owner), "due": .optional(item.due), "tags": .array(item.tags.map { .string($0) }),
                     "overdue": .bool(item.isOverdue(now: end, zone: zone))])
        })
    }

    // MARK: 7. RACI

    mutating func raciSection() {
        let matrix = try? RACIService(workspace).matrix()
        let workstreams = matrix?.workstreams ?? []
        values["raci"] = workstreams.map { stream in
            ["workstream": ReviewMarkdown.text(stream.name), "r": ReviewMarkdown.text(stream.responsible.joined(separator: ", ")),
             "a": ReviewMarkdown.text(stream.accountable.joined(separator: ", ")), "c": ReviewMarkdown.text(stream.consulted.joined(separator: ", ")),
             "i": ReviewMarkdown.text(stream.informed.joined(separator: ", "))]
        }
        values["raci_none"] = workstreams.isEmpty ? "No RACI matrix: raci.yaml is missing or does not read (ops lint)." : ""
        json["raci"] = .array(workstreams.map { stream in
            .object(["workstream": .string(stream.name), "R": .array(stream.responsible.map { .string($0) }), "A": .array(stream.accountable.map { .string($0) }),
                     "C": .array(stream.consulted.map { .string($0) }), "I": .array(stream.informed.map { .string($0) })])
        })
    }

    // MARK: 8. Outputs

    mutating func outputsSection() {
        let decide = outputs.filter { $0.kind == "decision" }.map(\.text)
        let confirm = outputs.filter { $0.kind == "owner" }.map(\.text)
        values["outputs_decisions"] = decide.map { ["text": ReviewMarkdown.text($0)] }
        values["outputs_owners"] = confirm.map { ["text": ReviewMarkdown.text($0)] }
        values["outputs_none"] = outputs.isEmpty ? "Nothing flagged by the figures; record any decision the meeting takes." : ""
        json["outputs"] = .object(["decisions": .array(decide.map { .string($0) }), "owners": .array(confirm.map { .string($0) })])
    }

    // MARK: incident_log.csv

    static let logPoints: [ClockPoint] = [.started, .detected, .opened, .acknowledged, .mitigated, .resolved, .closed]

    static func incidentLog(_ incidents: [Incident], postmortems: [String: Postmortem], config: OpsConfig) -> String {
        let headers = ["id", "title", "severity", "status", "service", "use_case", "commander"]
            + logPoints.map(\.key) + ResponseMetric.allCases.map { $0.rawValue + "_seconds" } + ["postmortem", "root_cause_category", "data_error"]
        let rows = incidents.map { incident -> [String] in
            let durations = incident.durations(clockStart: config.clockStart)
            let violations = incident.clockOrderViolations.map { "\($0.later.key) before \($0.earlier.key)" }.joined(separator: "; ")
            let postmortem = postmortems[incident.id]
            return [incident.id, incident.title, incident.severity, incident.status.rawValue, incident.service ?? "", incident.useCase ?? "", incident.commander ?? ""]
                + logPoints.map { incident.clock[$0].map(Timestamp.format) ?? "" }
                + ResponseMetric.allCases.map { metric in durations[metric.rawValue].map { String(Int($0.rounded())) } ?? "" }
                + [postmortem?.status ?? "", postmortem?.rootCauseCategory ?? "", violations]
        }
        return CSV.render(headers: headers, rows: rows)
    }
}

// MARK: Charts

extension ReviewBuilder {
    static let budgetChart = "budget-consumed.svg", responseChart = "response-trend.svg", costChart = "cost-trend.svg"

    /// Each SLO's error budget consumed, day by day from its window's start to the end of the
    /// week: bad events so far over the budget of the whole window (as `budget consumed` is
    /// computed), so the line ends at the figure in the table.
    func budgetChart(_ statuses: [ErrorBudgetStatus]) throws -> String? {
        let shown = statuses.filter { $0.total > 0 && $0.budget > 0 }
        guard !shown.isEmpty else { return nil }
        let calendar = Calendar.gregorian(zone)
        let earliest = shown.map(\.interval.start).min()!
        var dayEnds: [Date] = []
        var day = calendar.startOfDay(for: earliest)
        while day < interval.end {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            dayEnds.append(min(day, interval.end))
        }
        let service = SLOStatusService(workspace)
        var series: [LineChart.Series] = []
        for status in shown {
            let steps = try service.steps(useCase: status.useCase, sli: status.sli, from: status.interval.start, to: interval.end)
                .filter { $0.start >= status.interval.start && $0.end <= interval.end }
            let allowed = status.budget * status.total
            var values: [Double?] = []
            var bad: Decimal = 0
            var next = steps.startIndex
            for end in dayEnds {
                while next < steps.endIndex, steps[next].end <= end { bad += steps[next].bad; next += 1 }
                values.append(end <= status.interval.start ? nil : SLONumber.double(bad / allowed))
            }
            series.append(.init(name: "\(status.useCase) \(status.sli)", values: values))
        }
        let labels = dayEnds.map { String(PostmortemService.day($0.addingTimeInterval(-1), zone: zone).dropFirst(5)) }
        let chart = LineChart(
            title: "Error budget consumed over each SLO's window, to the end of \(week)", xLabels: labels,
            panels: [.init(title: "Error budget consumed (share of the window's budget)", series: series,
                           guides: [.init(value: 0.5, label: "50 %"), .init(value: 0.75, label: "75 %"), .init(value: 1, label: "100 % spent")])],
            labelEvery: 7, format: { SLONumber.percent($0, digits: 0) }, panelHeight: 300)
        return chart.svg()
    }

    /// Median TTA, TTM and TTR of the trend's weeks.
    func responseChart(weeks: [ISOWeek], medians: [ResponseMetric: [Double?]]) -> String {
        let series = Self.responseMetrics.map { metric, label in LineChart.Series(name: label, values: medians[metric] ?? []) }
        let chart = LineChart(
            title: "Median TTA, TTM and TTR, \(Self.trendWeeks) weeks to \(week)", xLabels: weeks.map { String($0.description.suffix(3)) },
            panels: [.init(title: "Median time to acknowledge, mitigate, resolve (incidents opened each week)", series: series)],
            format: { $0 == 0 ? "0" : DurationFormat.short($0) }, durations: true)
        return chart.svg()
    }

    /// Unit cost per request of each use case over the trend's weeks, against its target: one
    /// panel per use case, each on its own scale.
    func costChart() throws -> String? {
        guard try workspace.readWorkTreeFile(SLOCatalog.path) != nil else { return nil }
        let weeks = (0..<Self.trendWeeks).map { week.adding(weeks: $0 - (Self.trendWeeks - 1), zone: zone) }
        var costs: [String: [Double?]] = [:]
        var targets: [String: Double] = [:]
        let service = SignalsService(workspace)
        for (index, each) in weeks.enumerated() {
            for useCase in try service.status(week: each.description).useCases {
                guard let cost = useCase.unitCost, cost.requests > 0 else { continue }
                costs[useCase.useCase, default: Array(repeating: nil, count: weeks.count)][index] = SLONumber.double(cost.ucr)
                if let target = cost.target { targets[useCase.useCase] = SLONumber.double(target) }
            }
        }
        guard !costs.isEmpty else { return nil }
        let format: (Double) -> String = { SignalFormat.value(Decimal($0), unit: "usd") }
        let panels = costs.keys.sorted().map { name in
            LineChart.Panel(title: "\(name): cost per request", series: [.init(name: "UCR", values: costs[name]!)],
                            guides: targets[name].map { [.init(value: $0, label: "target \(format($0))")] } ?? [])
        }
        let chart = LineChart(title: "Unit cost per request, \(Self.trendWeeks) weeks to \(week)", xLabels: weeks.map { String($0.description.suffix(3)) },
                              panels: panels, format: format, panelHeight: 190)
        return chart.svg()
    }
}
