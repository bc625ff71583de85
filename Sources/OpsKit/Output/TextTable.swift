import Foundation

/// Columns aligned for a terminal: a header row, then rows; numbers right-aligned.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns whose values are right-aligned (numbers, durations).
    public var rightAligned: Set<Int>

    public init(headers: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public var text: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, value in
                let pad = String(repeating: " ", count: max(0, widths[column] - value.count))
                return rightAligned.contains(column) ? pad + value : value + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}

/// RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; CRLF between records.
/// Every CSV ops writes goes through here, so every cell is neutralised against formula injection.
public enum CSV {
    public static func render(headers: [String], rows: [[String]]) -> String {
        ([headers] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: String) -> String {
        let value = neutralised(value)
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// OWASP's CSV injection advice: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
    /// return is one a spreadsheet may run as a formula (`=HYPERLINK(...)` in a title), so it
    /// gets a leading `'`, which spreadsheets show as text. A plain negative number (`-12`,
    /// `-0.25`: a budget overspent, a change) cannot run and stays a number.
    static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        if value.range(of: #"^-[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil { return value }
        return "'" + value
    }
}

/// JSON as ops prints it: keys sorted, so the same data gives the same bytes.
public enum JSONOutput {
    public static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// The output formats every listing takes.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}
