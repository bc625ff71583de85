import Foundation

/// 3. Drift and data quality (and safety, reliability): each threshold crossed in the week, as
/// `ops signals status` reports it; cost has its own section.
struct SignalsSection: ReviewSection {
    /// The area: `data_quality` in metrics.json, `data quality` in the template.
    struct Area: ReviewFigure {
        var area: SignalArea

        var markdown: String { area.label }
        var json: String { area.rawValue }
    }

    /// A number with its text: the number in metrics.json, the text (with its unit, or the
    /// comparison it breached) in the template.
    struct Reading: ReviewFigure {
        var value: Decimal
        var text: String

        var markdown: String { ReviewMarkdown.text(text) }
        var json: JSONNumber { JSONNumber(value) }
    }

    /// How many readings of the week there were: `breaching/total` in the template.
    struct Readings: ReviewFigure {
        var total: Int
        var breaching: Int

        var markdown: String { "\(breaching)/\(total)" }
        var json: Int { total }
    }

    struct Breach: Encodable {
        var area: Area
        var useCase: UserText
        var metric: UserText
        var unit: String
        var value: Reading
        var breachWhen: String
        var threshold: Reading
        var level: UserText
        var at: Instant
        var readings: Readings
        var breachingReadings: Int
        var channel: UserText

        enum CodingKeys: String, CodingKey {
            case area, useCase = "use_case", metric, unit, value, breachWhen = "breach_when", threshold, level, at, readings,
                breachingReadings = "breaching_readings", channel
        }
    }

    var breaches: [Breach]
    /// Readings of the week over every use case.
    var readings: Int
    /// Whether the repository has an SLO catalog, without which there are no signals.
    var catalog: Bool
    var week: String

    enum CodingKeys: String, CodingKey { case breaches, readings }

    /// `report` is nil when the repository has no SLO catalog.
    init(_ report: SignalsReport?, week: ISOWeek, zone: TimeZone, outputs: inout [ReviewOutput]) {
        breaches = []
        for useCase in report?.useCases.sorted(by: { $0.useCase < $1.useCase }) ?? [] {
            for check in useCase.breaches where check.area != .cost {
                let value = SignalFormat.value(check.value, unit: check.unit)
                breaches.append(
                    Breach(
                        area: Area(area: check.area), useCase: UserText(useCase.useCase), metric: UserText(check.label), unit: check.unit,
                        value: Reading(value: check.value, text: value), breachWhen: check.breachWhen.comparison,
                        threshold: Reading(value: check.breachWhen.value, text: check.breachText), level: UserText(check.level),
                        at: Instant(date: check.at, zone: zone), readings: Readings(total: check.readings, breaching: check.breachingReadings),
                        breachingReadings: check.breachingReadings, channel: UserText(check.channel)))
                outputs.append(.owner("\(useCase.useCase) \(check.label) \(value) (\(check.breachText), \(check.level)): confirm who follows it up"))
            }
        }
        readings = report?.useCases.reduce(0) { $0 + $1.readings } ?? 0
        catalog = report != nil
        self.week = week.description
    }

    struct Template: Encodable {
        var breaches: [Breach]
        var breachesNone: String

        enum CodingKeys: String, CodingKey { case breaches, breachesNone = "breaches_none" }
    }

    var template: Template {
        Template(
            breaches: breaches,
            breachesNone: !catalog
                ? "No signal data: no slo/catalog.yaml."
                : breaches.isEmpty ? "No drift, data-quality, safety or reliability threshold crossed in \(week) (readings filed by UTC week)." : "")
    }
}
