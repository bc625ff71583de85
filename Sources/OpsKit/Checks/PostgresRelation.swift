import Foundation

/// The rows a PostgreSQL dataset reads: a table (or view), or a query of its own.
public enum PostgresRelation: Sendable, Equatable {
    /// `payments` or `analytics.payments`: a name, or a schema and a name, used as written
    /// (quoted, so case and odd characters are kept; a name cannot itself hold a dot).
    case table(String)
    /// A `select …` whose rows are the dataset; it is read as a subquery, so it is one statement
    /// with no trailing semicolon needed.
    case query(String)

    /// How messages name it: `table analytics.payments`, or `query "select …"` (its start).
    public var description: String {
        switch self {
        case .table(let name):
            return "table \(name)"
        case .query(let sql):
            let line = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return "query \"\(line.count > 80 ? String(line.prefix(80)) + "…" : line)\""
        }
    }

    /// The relation as it goes after FROM: a quoted name, or the query in parentheses.
    func sql() throws -> String {
        switch self {
        case .table(let name):
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw OpsError.input("'\(name)' is not a table name; write it as TABLE or SCHEMA.TABLE")
            }
            return try parts.map(PostgresSQL.identifier).joined(separator: ".")
        case .query(let text):
            var sql = text.trimmingCharacters(in: .whitespacesAndNewlines)
            while sql.hasSuffix(";") { sql = String(sql.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !sql.isEmpty else { throw OpsError.input("the query of a PostgreSQL dataset is empty; write the select that gives its rows") }
            guard !sql.contains("\0") else { throw OpsError.input("\(description) holds a NUL character, which PostgreSQL does not take") }
            // A line comment at the end would swallow the closing parenthesis.
            return "(\(sql)\n) AS ops_rows"
        }
    }
}

/// The few pieces of SQL text that are not bound parameters: quoted identifiers.
enum PostgresSQL {
    /// `name` as a quoted identifier: `"amount_usd"`, with `"` doubled, so any column or
    /// table name is taken as written and never read as SQL.
    static func identifier(_ name: String) throws -> String {
        guard !name.isEmpty, !name.contains("\0") else {
            throw OpsError.input("'\(name)' is not a column or table name")
        }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
