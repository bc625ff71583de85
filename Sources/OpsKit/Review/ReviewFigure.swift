import Foundation

/// A figure of the pack, held once: `metrics.json` writes its value, `json` (a number, a string
/// or null), and the pack.md template shows it as `markdown`, already safe for a table cell.
protocol ReviewFigure: Encodable {
    associatedtype JSON: Encodable
    var json: JSON { get }
    var markdown: String { get }
}

extension ReviewFigure {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(json)
    }
}

/// Text someone typed (a title, a name, a use case): as typed in `metrics.json` (null when there
/// is none), escaped by `ReviewMarkdown.text` in the template, `absent` when there is none.
struct UserText: ReviewFigure {
    var value: String?
    var absent = "–"

    init(_ value: String?, absent: String = "–") {
        self.value = value
        self.absent = absent
    }

    var markdown: String { value.map(ReviewMarkdown.text) ?? absent }
    var json: String? { value }
}

/// A list of names (policy actions, deciders, RACI roles): an array in `metrics.json`, one
/// escaped line joined by commas in the template, `absent` when empty.
struct Names: ReviewFigure {
    var values: [String]
    var absent: String

    init(_ values: [String], absent: String = "–") {
        self.values = values
        self.absent = absent
    }

    var markdown: String { values.isEmpty ? absent : ReviewMarkdown.text(values.joined(separator: ", ")) }
    var json: [String] { values }
}

/// A figure that is a number in `metrics.json` and, in the template, words for its unit.
protocol NumericFigure: ReviewFigure where JSON == JSONNumber {
    var value: Double? { get }
}

extension NumericFigure {
    var json: JSONNumber { JSONNumber(value) }
}

/// A ratio (budget consumed, objective): `103.8 %` in the template.
struct Percent: NumericFigure {
    var value: Double?
    var digits = 1

    var markdown: String { ReviewMarkdown.percent(value, digits: digits) }
}

/// A change between weeks as a ratio: `+4.2 %` in the template.
struct SignedPercent: NumericFigure {
    var value: Double?

    var markdown: String { ReviewMarkdown.signedPercent(value) }
}

/// A rate with two decimals (burn rate): `1.04` in the template.
struct Rate: NumericFigure {
    var value: Double?

    var markdown: String { value.map { String(format: "%.2f", $0) } ?? "–" }
}

/// Seconds: `1h 02m` in the template.
struct Seconds: NumericFigure {
    var value: Double?

    var markdown: String { ReviewMarkdown.duration(value) }
}

/// US dollars: the number in `metrics.json`, `$0.0019` in the template.
struct Dollars: ReviewFigure {
    var value: Decimal?

    var markdown: String { value.map { SignalFormat.value($0, unit: "usd") } ?? "–" }
    var json: JSONNumber { JSONNumber(value) }
}

/// A moment: UTC in `metrics.json`, the team's clock in the template.
struct Instant: ReviewFigure {
    var date: Date?
    var zone: TimeZone

    var markdown: String { date.map { LocalTime.format($0, zone: zone) } ?? "–" }
    var json: String? { date.map(Timestamp.format) }
}
