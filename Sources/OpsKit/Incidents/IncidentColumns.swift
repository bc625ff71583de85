public import Foundation

/// What response metrics and listings need of every incident, one array per field: ids,
/// titles, severity, status, service, use case, commander, tags, source, and the seven clock
/// points as plain numbers. Read from `.git/ops/incidents.columns` (IncidentColumnsFile) without
/// building an `Incident`, which is what makes `ops stats` over 100k incidents fast.
public struct IncidentColumns: Sendable, Equatable {
    public static func == (a: IncidentColumns, b: IncidentColumns) -> Bool {
        a.ids == b.ids && a.titles == b.titles && a.severities == b.severities && a.statuses == b.statuses && a.services == b.services
            && a.useCases == b.useCases && a.commanders == b.commanders && a.tags == b.tags && a.sources == b.sources
            // NaN (unknown) is not equal to itself as a number; compared as bits it is.
            && a.clock.map { $0.map(\.bitPattern) } == b.clock.map { $0.map(\.bitPattern) }
    }

    public private(set) var ids: [String] = []
    public private(set) var titles: [String] = []
    public private(set) var severities: [String] = []
    public private(set) var statuses: [IncidentStatus] = []
    public private(set) var services: [String?] = []
    public private(set) var useCases: [String?] = []
    public private(set) var commanders: [String?] = []
    public private(set) var tags: [[String]] = []
    public private(set) var sources: [String?] = []
    /// One column per clock point, in `ClockPoint` order: seconds since 2001-01-01 (Date's own
    /// number, so durations are exactly what `Date` subtraction gives), NaN when unknown.
    private(set) var clock: [[Double]] = ClockPoint.allCases.map { _ in [] }

    public var count: Int { ids.count }

    public init(_ incidents: [Incident] = []) {
        reserveCapacity(incidents.count)
        for incident in incidents { append(incident) }
    }

    mutating func reserveCapacity(_ count: Int) {
        for index in clock.indices { clock[index].reserveCapacity(count) }
        ids.reserveCapacity(count)
        titles.reserveCapacity(count)
        severities.reserveCapacity(count)
        statuses.reserveCapacity(count)
        services.reserveCapacity(count)
        useCases.reserveCapacity(count)
        commanders.reserveCapacity(count)
        tags.reserveCapacity(count)
        sources.reserveCapacity(count)
    }

    mutating func append(_ incident: Incident) {
        append(
            id: incident.id, title: incident.title, severity: incident.severity, status: incident.status, service: incident.service,
            useCase: incident.useCase, commander: incident.commander, tags: incident.tags, source: incident.source,
            clock: ClockPoint.allCases.map { incident.clock[$0]?.timeIntervalSinceReferenceDate ?? .nan })
    }

    mutating func append(
        id: String, title: String, severity: String, status: IncidentStatus, service: String?, useCase: String?, commander: String?,
        tags: [String], source: String?, clock times: [Double]
    ) {
        ids.append(id)
        titles.append(title)
        severities.append(severity)
        statuses.append(status)
        services.append(service)
        useCases.append(useCase)
        commanders.append(commander)
        self.tags.append(tags)
        sources.append(source)
        for (index, time) in times.enumerated() { clock[index].append(time) }
    }

    /// The incidents at `rows`, in that order.
    public func rows(_ rows: [Int]) -> IncidentColumns {
        var result = IncidentColumns()
        result.reserveCapacity(rows.count)
        for row in rows {
            result.append(
                id: ids[row], title: titles[row], severity: severities[row], status: statuses[row], service: services[row],
                useCase: useCases[row], commander: commanders[row], tags: tags[row], source: sources[row], clock: clock.map { $0[row] })
        }
        return result
    }

    /// Seconds since 2001-01-01 of `point` for the incident at `row`; nil when unknown.
    func seconds(_ point: ClockPoint, _ row: Int) -> Double? {
        let value = clock[point.order][row]
        return value.isNaN ? nil : value
    }

    public func date(_ point: ClockPoint, _ row: Int) -> Date? { seconds(point, row).map(Date.init(timeIntervalSinceReferenceDate:)) }

    public func isSettled(_ row: Int) -> Bool { statuses[row] >= .resolved }

    /// Pairs of clock points out of order at `row` (`Incident.clockOrderViolations`).
    func clockOrderViolations(_ row: Int) -> [(earlier: ClockPoint, later: ClockPoint)] {
        ClockPoint.orderViolations { seconds($0, row) }
    }

    /// `metric` in seconds for the incident at `row`, when both its clock points are known.
    func duration(_ metric: ResponseMetric, clockStart start: ClockStart, _ row: Int) -> Double? {
        metric.seconds(clockStart: start) { seconds($0, row) }
    }
}

extension ResponseMetric {
    /// This duration in seconds from the clock points `time` knows (seconds since 2001-01-01),
    /// nil when one of its two points is unknown: time to detect runs from started_at, the
    /// others from where the team's clocks start (docs/DESIGN.md §4).
    func seconds(clockStart start: ClockStart, _ time: (ClockPoint) -> Double?) -> Double? {
        let origin = self == .timeToDetect ? time(.started) : start.origin(time)
        guard let origin, let end = time(end) else { return nil }
        return end - origin
    }
}

extension ClockStart {
    /// The point response clocks start at, from the clock points `time` knows.
    func origin(_ time: (ClockPoint) -> Double?) -> Double? {
        switch self {
        case .started: return time(.started)
        case .detected: return time(.detected) ?? time(.opened)
        case .opened: return time(.opened)
        }
    }
}

extension ClockPoint {
    /// Pairs of points out of order (a later point before an earlier one) among those `time` knows.
    static func orderViolations(_ time: (ClockPoint) -> Double?) -> [(earlier: ClockPoint, later: ClockPoint)] {
        // Nearly every incident is in order: a pass over the known points says so without building anything.
        var latest = -Double.infinity
        var inOrder = true
        for point in allCases {
            guard let value = time(point) else { continue }
            if value < latest {
                inOrder = false
                break
            }
            latest = value
        }
        if inOrder { return [] }
        let present = allCases.compactMap { point in time(point).map { (point, $0) } }
        var violations: [(ClockPoint, ClockPoint)] = []
        for (i, first) in present.enumerated() {
            for second in present[(i + 1)...] where second.1 < first.1 {
                violations.append((first.0, second.0))
            }
        }
        return violations
    }
}
