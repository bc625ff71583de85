import Foundation

/// The pack's heading: its week, the moment its figures describe, and the clock points corrected
/// after the week ended, the one thing that may change a past week's pack (so it says so).
/// `ReviewMetrics` writes its fields at the top level of `metrics.json`.
struct ReviewHeading: Encodable {
    struct Correction: Encodable {
        var incident: String
        var point: String
        var before: Instant
        var after: Instant
        var at: Instant
        var by: String
    }

    var week: String
    var start: Instant
    var end: Instant
    var timezone: String
    var asOf: Instant
    /// The moment of `asOf`, for the pack's own record (`ReviewPack.asOf`).
    let moment: Date
    var weekOver: Bool
    /// What `asOf` is (the week's end, its last change, now, its start): said on the pack's first line.
    var basis: ReviewBuilder.AsOfBasis
    var corrections: [Correction]
    /// For the template's title line only.
    var team: String

    enum CodingKeys: String, CodingKey { case week, start, end, timezone, asOf = "as_of", weekOver = "week_over", corrections }

    init(week: ISOWeek, interval: DateInterval, asOf: Date, basis: ReviewBuilder.AsOfBasis, zone: TimeZone, team: String, corrections: [Incident.Correction]) {
        self.week = week.description
        start = Instant(date: interval.start, zone: zone)
        end = Instant(date: interval.end, zone: zone)
        timezone = zone.identifier
        self.asOf = Instant(date: asOf, zone: zone)
        moment = asOf
        weekOver = basis == .weekEnd
        self.basis = basis
        self.team = team
        self.corrections = corrections.sorted { ($0.incident, $0.at, $0.point) < ($1.incident, $1.at, $1.point) }.map {
            Correction(
                incident: $0.incident, point: $0.point, before: Instant(date: $0.before, zone: zone),
                after: Instant(date: $0.after, zone: zone), at: Instant(date: $0.at, zone: zone), by: $0.by)
        }
    }

    struct Template: Encodable {
        /// One line per incident, its corrections joined.
        struct Line: Encodable {
            var incident: String
            var text: String
        }

        var week: String
        var start: Instant
        var end: Instant
        var zone: String
        var team: UserText
        var asOf: String
        var corrections: [Line]

        enum CodingKeys: String, CodingKey { case week, start, end, zone, team, asOf = "as_of", corrections }
    }

    var template: Template {
        func time(_ instant: Instant) -> String { instant.date == nil ? "unset" : instant.markdown }
        let byIncident = Dictionary(grouping: corrections, by: \.incident)
        let lines = byIncident.keys.sorted().map { id in
            Template.Line(
                incident: id,
                text: byIncident[id]!.map {
                    "\($0.point) \(time($0.before)) → \(time($0.after)) (\(ReviewMarkdown.text($0.by)), \(time($0.at)))"
                }.joined(separator: "; "))
        }
        return Template(
            week: week, start: start, end: end, zone: timezone, team: UserText(team),
            asOf: weekOver ? "figures as of the end of the week" : "figures as of \(asOf.markdown)", corrections: lines)
    }
}
