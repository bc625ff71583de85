public import Foundation

/// The rows a check reads, as text, wherever they came from: a CSV or JSON-lines file, or a
/// PostgreSQL table or query. Every row keeps where it came from (a file's line, a query's row
/// number), so a value a check cannot read is named exactly.
public struct DatasetTable: Sendable, Equatable {
    /// What a person reads to find the rows: `data/payments.csv`, or `query on $PAYMENTS_DB`.
    public var source: String
    /// True when `lines` are a file's lines; false when they are row numbers of a query.
    public var isFile: Bool
    public var columns: [String]
    /// One entry per row, one value per column; nil is SQL NULL, an empty CSV field, or a
    /// JSON null or missing field. A JSON-lines row may be shorter than `columns` (keys that
    /// first appear on later lines): read values through `texts` and `numbers`, which take a
    /// missing place as nil.
    public var rows: [[String?]]
    /// Each row's line in the file (1-based), or its row number in the query's result.
    public var lines: [Int]

    public init(source: String, isFile: Bool, columns: [String], rows: [[String?]], lines: [Int]) {
        self.source = source
        self.isFile = isFile
        self.columns = columns
        self.rows = rows
        self.lines = lines
    }

    /// Where row `index` is, as `data/payments.csv:12: ` or `query on $PAYMENTS_DB, row 12: `.
    public func place(ofRow index: Int) -> String {
        isFile ? "\(source):\(lines[index]): " : "\(source), row \(lines[index]): "
    }

    /// The position of `column`, or an error that lists the columns there are.
    public func index(of column: String) throws -> Int {
        guard let index = columns.firstIndex(of: column) else {
            throw OpsError.input(
                "\(source) has no column '\(column)'; it has \(columns.joined(separator: ", ")). Check the column name in the check")
        }
        return index
    }

    /// The column's values, nil where a row has none.
    public func texts(_ column: String) throws -> [String?] {
        let index = try index(of: column)
        return rows.map { index < $0.count ? $0[index] : nil }
    }

    /// The times of a time column (`2026-11-16T12:00:00Z`), nil where a row has none; a value
    /// that is not such a time is an error naming its row.
    public func times(_ column: String) throws -> [Date?] {
        try texts(column).enumerated().map { row, text in
            guard let text, !text.isEmpty else { return nil }
            guard let time = Timestamp.parse(text) else {
                throw OpsError.input("\(place(ofRow: row))\(column) is '\(text.prefix(40))', not a time like 2026-11-16T12:00:00Z")
            }
            return time
        }
    }

    /// The values of a categorical column. An empty value (nil) is a category of its own, named
    /// "" (shown as `(empty)`): a rise in missing values is a shift too.
    public func categories(_ column: String) throws -> [String] {
        try texts(column).map { $0 ?? "" }
    }

    /// The numbers of a continuous column. Empty values (nil, or only spaces) are left out and
    /// counted; any other value that is not a finite number is an error naming its row.
    public func numbers(_ column: String) throws -> (values: [Double], empty: Int) {
        let index = try index(of: column)
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        var empty = 0
        for (row, fields) in rows.enumerated() {
            guard index < fields.count, let text = fields[index]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                empty += 1
                continue
            }
            guard let value = Double(text), value.isFinite else {
                throw OpsError.input(
                    "\(place(ofRow: row))\(column) is '\(text.prefix(40))', not a number. A continuous feature needs numbers: fix the value, or treat the column as categories (categorical in checks.yaml, --test topk in ops checks compare)"
                )
            }
            values.append(value)
        }
        return (values, empty)
    }
}

/// A data-contract rule on a dataset's rows: what a valid row looks like. A violating row is
/// one where the rule does not hold; rows whose value is empty are the `notNull` rule's, not
/// the others'.
public struct ContractRule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Every row has a value in each of `columns` (not missing, not only spaces).
        case notNull
        /// No two rows share the values of `columns` (rows with an empty value among them are
        /// not compared, as SQL's UNIQUE does not).
        case unique
        /// `columns[0] <comparison> value`, e.g. `amount_usd >= 0`.
        case compare(Comparison, Decimal)
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">=", atMost = "<=", above = ">", below = "<", equal = "==", notEqual = "!="

        /// The SQL operator.
        public var sql: String {
            switch self {
            case .equal: return "="
            case .notEqual: return "<>"
            default: return rawValue
            }
        }

        public func holds(_ x: Decimal, _ y: Decimal) -> Bool {
            switch self {
            case .atLeast: return x >= y
            case .atMost: return x <= y
            case .above: return x > y
            case .below: return x < y
            case .equal: return x == y
            case .notEqual: return x != y
            }
        }
    }

    public var kind: Kind
    public var columns: [String]

    public init(_ kind: Kind, columns: [String]) {
        self.kind = kind
        self.columns = columns
    }

    /// How the rule reads in a report: `amount_usd >= 0`, `not null: user_id`, `unique: id`.
    public var description: String {
        switch kind {
        case .notNull: return "not null: \(columns.joined(separator: ", "))"
        case .unique: return "unique: \(columns.joined(separator: ", "))"
        case .compare(let comparison, let value): return "\(columns[0]) \(comparison.rawValue) \(value)"
        }
    }
}

/// How many rows break a rule, and up to five of them as a person would look them up.
public struct RuleViolations: Sendable, Equatable {
    public var rule: ContractRule
    /// Rows the rule was checked on.
    public var rows: Int
    public var violating: Int
    /// At most five: `line 12: amount_usd = -3.5` from a file, `row with id = 42: amount_usd = -3.5`
    /// from PostgreSQL, `id = 42 on 3 rows (lines 4, 9, 12)` for a `unique` rule.
    public var examples: [String]

    public static let exampleLimit = 5

    public init(rule: ContractRule, rows: Int, violating: Int, examples: [String]) {
        self.rule = rule
        self.rows = rows
        self.violating = violating
        self.examples = examples
    }
}
