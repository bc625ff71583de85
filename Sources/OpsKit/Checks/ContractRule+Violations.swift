import Foundation

// What breaks a rule, the same for a file and for PostgreSQL (ContractRule+SQL.swift says it in SQL):
// - a value is empty when it is missing (NULL, an empty field) or only spaces and tabs;
// - `notNull` is broken by a row with an empty value in any of its columns;
// - `unique` is broken by every row whose values (none empty) another row has too: two rows
//   sharing an id are two violating rows, and one example;
// - `compare` leaves empty values to `notNull`; a value that is not a plain decimal number
//   (`-3.5`, `1e6`; not `NaN`, `Infinity` or `12 USD`) breaks it, with its text in the example.
extension ContractRule {
    /// The rule checked on a file's (or a query's) rows; examples name the line, like
    /// `line 12: amount_usd = -3.5`, the first five in the file's order.
    public func violations(in table: DatasetTable) throws -> RuleViolations {
        let indexes = try columns.map(table.index(of:))
        guard !indexes.isEmpty else { throw OpsError.input("the rule '\(description)' names no column") }
        let values = table.rows.map { row in indexes.map { $0 < row.count ? row[$0] : nil } }
        var violating = 0
        var examples: [String] = []
        func note(_ example: @autoclosure () -> String) {
            violating += 1
            if examples.count < RuleViolations.exampleLimit { examples.append(example()) }
        }
        let place = { (row: Int) in "\(table.isFile ? "line" : "row") \(table.lines[row])" }
        switch kind {
        case .notNull:
            for (row, fields) in values.enumerated() where fields.contains(where: Self.isEmpty) {
                note("\(place(row)): \(Self.emptyColumns(columns, fields))")
            }
        case .compare(let comparison, let bound):
            for (row, fields) in values.enumerated() {
                guard let text = fields[0], !Self.isEmpty(text) else { continue }
                if let number = Self.number(text) {
                    if !comparison.holds(number, bound) { note("\(place(row)): \(Self.shown(columns[0], text))") }
                } else {
                    note("\(place(row)): \(Self.shown(columns[0], text)), not a number")
                }
            }
        case .unique:
            var rowsByKey: [[String]: [Int]] = [:]
            var order: [[String]] = []
            for (row, fields) in values.enumerated() {
                let key = fields.compactMap { $0.map(Self.trimmed) }
                guard key.count == fields.count, !key.contains(where: \.isEmpty) else { continue }
                if rowsByKey[key] == nil { order.append(key) }
                rowsByKey[key, default: []].append(row)
            }
            for key in order {
                guard let rows = rowsByKey[key], rows.count > 1 else { continue }
                violating += rows.count
                if examples.count < RuleViolations.exampleLimit {
                    let lines = rows.prefix(10).map { String(table.lines[$0]) }.joined(separator: ", ") + (rows.count > 10 ? ", …" : "")
                    examples.append("\(Self.shown(columns, key)) on \(rows.count) rows (\(table.isFile ? "lines" : "rows") \(lines))")
                }
            }
        }
        return RuleViolations(rule: self, rows: table.rows.count, violating: violating, examples: examples)
    }

    /// Spaces and tabs around a value do not count; SQL trims the same two.
    static let blanks = CharacterSet(charactersIn: " \t")

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: blanks) }

    static func isEmpty(_ text: String?) -> Bool { text.map { trimmed($0).isEmpty } ?? true }

    /// A plain decimal number, as the SQL version's pattern `numberPattern` reads one.
    static func number(_ text: String) -> Decimal? {
        let text = trimmed(text)
        guard text.range(of: numberPattern, options: .regularExpression) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// The same pattern in Swift and in PostgreSQL's `~` (both POSIX-like): sign, digits, an
    /// optional fraction and exponent.
    static let numberPattern = #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"#

    /// `amount_usd = -3.5`, a long value cut at 40 characters.
    static func shown(_ column: String, _ value: String?) -> String {
        guard let value else { return "\(column) is empty" }
        return "\(column) = \(value.count > 40 ? String(value.prefix(40)) + "…" : value)"
    }

    /// `user_id = 7, day = 2026-01-05`.
    static func shown(_ columns: [String], _ values: [String?]) -> String {
        zip(columns, values).map { shown($0, $1) }.joined(separator: ", ")
    }

    /// `user_id is empty` or `user_id, email are empty`.
    static func emptyColumns(_ columns: [String], _ values: [String?]) -> String {
        let empty = zip(columns, values).filter { isEmpty($1) }.map(\.0)
        return empty.joined(separator: ", ") + (empty.count == 1 ? " is empty" : " are empty")
    }
}
