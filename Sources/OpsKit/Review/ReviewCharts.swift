import Foundation

/// The pack's three charts as SVG files: `pack.md` links them, `pack.html` holds them inline.
struct ReviewCharts {
    static let budgetName = "budget-consumed.svg", responseName = "response-trend.svg", costName = "cost-trend.svg"

    let workspace: Workspace
    let week: ISOWeek
    let zone: TimeZone
    let interval: DateInterval
    /// The trend's weeks, oldest first, ending with `week`.
    let trendWeeks: [ISOWeek]

    /// Each SLO's error budget consumed, day by day from its window's start to the end of the
    /// week: bad events so far over the budget of the whole window (as `budget consumed` is
    /// computed), so the line ends at the figure in the table. Nil when no SLO has data.
    func budget(_ statuses: [ErrorBudgetStatus]) throws -> String? {
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
            let steps = try service.steps(of: status, from: status.interval.start, to: interval.end)
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
            panels: [
                .init(
                    title: "Error budget consumed (share of the window's budget)", series: series,
                    guides: [.init(value: 0.5, label: "50 %"), .init(value: 0.75, label: "75 %"), .init(value: 1, label: "100 % spent")])
            ],
            labelEvery: 7, format: { SLONumber.percent($0, digits: 0) }, panelHeight: 300)
        return chart.svg()
    }

    /// Median TTA, TTM and TTR of the trend's weeks, from the incidents section's trend.
    func response(_ trend: [IncidentsSection.TrendWeek]) -> String {
        let series = IncidentsSection.responseMetrics.map { metric, label in
            LineChart.Series(name: label, values: trend.map { $0[metric].median.value })
        }
        let chart = LineChart(
            title: "Median TTA, TTM and TTR, \(trendWeeks.count) weeks to \(week)", xLabels: trendWeeks.map { String($0.description.suffix(3)) },
            panels: [.init(title: "Median time to acknowledge, mitigate, resolve (incidents opened each week)", series: series)],
            format: { $0 == 0 ? "0" : DurationFormat.short($0) }, durations: true)
        return chart.svg()
    }

    /// Unit cost per request of each use case over the trend's weeks, against its target: one
    /// panel per use case, each on its own scale. Nil without an SLO catalog or cost readings.
    func cost() throws -> String? {
        guard try workspace.readWorkTreeFile(SLOCatalog.path) != nil else { return nil }
        var costs: [String: [Double?]] = [:]
        var targets: [String: Double] = [:]
        let service = SignalsService(workspace)
        for (index, each) in trendWeeks.enumerated() {
            for useCase in try service.status(week: each.description).useCases {
                guard let cost = useCase.unitCost, cost.requests > 0 else { continue }
                costs[useCase.useCase, default: Array(repeating: nil, count: trendWeeks.count)][index] = SLONumber.double(cost.ucr)
                if let target = cost.target { targets[useCase.useCase] = SLONumber.double(target) }
            }
        }
        guard !costs.isEmpty else { return nil }
        let format: (Double) -> String = { SignalFormat.value(Decimal($0), unit: "usd") }
        let panels = costs.keys.sorted().map { name in
            LineChart.Panel(
                title: "\(name): cost per request", series: [.init(name: "UCR", values: costs[name]!)],
                guides: targets[name].map { [.init(value: $0, label: "target \(format($0))")] } ?? [])
        }
        let chart = LineChart(
            title: "Unit cost per request, \(trendWeeks.count) weeks to \(week)", xLabels: trendWeeks.map { String($0.description.suffix(3)) },
            panels: panels, format: format, panelHeight: 190)
        return chart.svg()
    }
}
