import Foundation

/// A section that is one table: its rows are all it writes to `metrics.json`, and the template
/// gets them with the sentence the pack says instead when there are none.
protocol ReviewTableSection: ReviewSection where Template == ReviewTable<Row> {
    associatedtype Row: Encodable
    /// The template's names for the rows and for the sentence (`costs`, `costs_none`).
    static var templateNames: (rows: String, none: String) { get }
    var rows: [Row] { get }
    /// What the pack says when there are no rows.
    var none: String { get }
}

extension ReviewTableSection {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rows)
    }

    var template: ReviewTable<Row> { ReviewTable(names: Self.templateNames, rows: rows, none: rows.isEmpty ? none : "") }
}

/// The template's view of a `ReviewTableSection`: the rows, and the sentence (empty when there are rows).
struct ReviewTable<Row: Encodable>: Encodable {
    var names: (rows: String, none: String)
    var rows: [Row]
    var none: String

    private struct Name: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try encoder.encodeObject(Name.self, [Name(stringValue: names.rows): rows, Name(stringValue: names.none): none])
    }
}
