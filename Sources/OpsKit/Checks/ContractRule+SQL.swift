import Foundation

/// A contract rule as two SELECTs on a relation: one counting the rows and the violating rows,
/// one giving up to five examples. The rule's meaning is the file version's
/// (ContractRule+Violations.swift); values are compared as text trimmed of spaces and tabs,
/// numbers through the same pattern, and the rule's number is a bound parameter (`$1`).
struct RuleSQL: Equatable {
    /// One row: the relation's row count, the violating row count (both int8).
    var count: String
    /// Up to five rows: for `unique`, the key values as text and the group's size; otherwise
    /// the key column's value (when there is one) and the rule's columns, as text.
    var examples: String
    /// The number a `compare` rule holds values to, as `$1`.
    var bound: Decimal?

    init(rule: ContractRule, relation: String, keyColumn: String?) throws {
        guard !rule.columns.isEmpty else { throw OpsError.input("the rule '\(rule.description)' names no column") }
        let columns = try rule.columns.map(PostgresSQL.identifier)
        let key = try keyColumn.map(PostgresSQL.identifier)
        switch rule.kind {
        case .unique:
            let filled = columns.map { "NOT \(Self.isEmpty($0))" }.joined(separator: " AND ")
            let list = columns.joined(separator: ", ")
            let groups = "SELECT \(list), count(*) AS ops_count FROM \(relation) WHERE \(filled) GROUP BY \(list) HAVING count(*) > 1"
            count = "SELECT (SELECT count(*) FROM \(relation))::int8, (SELECT coalesce(sum(ops_count), 0) FROM (\(groups)) AS ops_groups)::int8"
            examples =
                "SELECT \(columns.map { "\($0)::text" }.joined(separator: ", ")), ops_count::int8 FROM (\(groups)) AS ops_groups ORDER BY \(list) LIMIT \(RuleViolations.exampleLimit)"
            bound = nil
        case .notNull, .compare:
            let violation: String
            if case .compare(let comparison, let value) = rule.kind {
                let text = Self.trimmed(columns[0])
                // CASE keeps the cast to numeric away from values that are not numbers.
                violation =
                    "CASE WHEN \(Self.isEmpty(columns[0])) THEN false WHEN \(text) ~ '\(ContractRule.numberPattern)' THEN NOT (\(text)::numeric \(comparison.sql) $1::numeric) ELSE true END"
                bound = value
            } else {
                violation = columns.map(Self.isEmpty).joined(separator: " OR ")
                bound = nil
            }
            count = "SELECT count(*)::int8, (count(*) FILTER (WHERE \(violation)))::int8 FROM \(relation)"
            let shown = ([key].compactMap { $0 } + columns).map { "\($0)::text" }.joined(separator: ", ")
            examples =
                "SELECT \(shown) FROM \(relation) WHERE \(violation) ORDER BY \(([key].compactMap { $0 } + columns).joined(separator: ", ")) LIMIT \(RuleViolations.exampleLimit)"
        }
    }

    static func trimmed(_ column: String) -> String { "btrim(\(column)::text, ' ' || chr(9))" }

    static func isEmpty(_ column: String) -> String { "(\(column) IS NULL OR \(trimmed(column)) = '')" }

    /// One example as a person reads it: `row with id = 42: amount_usd = -3.5`, or
    /// `id = 42 on 3 rows` for `unique`. `values` are the example query's columns as text.
    static func example(of rule: ContractRule, keyColumn: String?, values: [String?], groupSize: Int?) -> String {
        if let groupSize { return "\(ContractRule.shown(rule.columns, values)) on \(groupSize) rows" }
        let fields = keyColumn == nil ? values : Array(values.dropFirst())
        let prefix =
            keyColumn.map { key in (values.first ?? nil).map { "row with \(ContractRule.shown(key, $0)): " } ?? "row with no \(key): " } ?? ""
        switch rule.kind {
        case .notNull:
            return prefix + ContractRule.emptyColumns(rule.columns, fields)
        case .compare:
            let text = fields.first ?? nil
            let number = text.flatMap(ContractRule.number)
            return prefix + ContractRule.shown(rule.columns[0], text) + (number == nil ? ", not a number" : "")
        case .unique:
            return prefix + ContractRule.shown(rule.columns, fields)
        }
    }
}
