import Crypto
import Foundation

/// Reads the rows of checks.yaml's sources for one run: files from the work tree (each read
/// once), PostgreSQL through one connection per URL variable. It records what it read (a
/// file's SHA-256, a query's result digest) as the run's provenance.
struct DatasetReader {
    let workspace: Workspace
    let environment: [String: String]
    /// What the run read, each once, for the snapshot's `sources`.
    private(set) var sources: [SnapshotSource.SourceFile] = []
    private var files: [String: DatasetTable] = [:]
    private var servers: [String: PostgresSource] = [:]

    init(workspace: Workspace, environment: [String: String]) {
        self.workspace = workspace
        self.environment = environment
    }

    /// `data/payments.csv`, or `payments on $PAYMENTS_DB_URL`.
    func describe(_ source: ChecksConfig.Source) -> String {
        switch source {
        case .file(let path): return path
        case .postgres(let variable, let table, _): return "\(table ?? "query") on $\(variable)"
        }
    }

    /// The rows of `source` (the `columns` it needs, for a query), those with `timeColumn` in
    /// `range` when one is given.
    mutating func table(
        _ source: ChecksConfig.Source, columns: [String], timeColumn: String?, in range: DateInterval?, line: Int?
    ) throws -> DatasetTable {
        switch source {
        case .file(let path):
            let whole = try file(path, line: line)
            guard let timeColumn, let range else { return whole }
            return try Self.rows(of: whole, timeColumn: timeColumn, in: range)
        case .postgres(let variable, _, _):
            let wanted = timeColumn.map { columns.contains($0) ? columns : columns + [$0] } ?? columns
            let table = try server(variable, line: line).rows(of: Self.relation(source), columns: wanted, timeColumn: timeColumn, in: range)
            record(name: "\(describe(source))\(range.map { " " + Timestamp.format($0.start) + "/" + Timestamp.format($0.end) } ?? "")", table)
            return table
        }
    }

    /// The rows a drift test compares the current ones with.
    mutating func reference(of dataset: ChecksConfig.Dataset, columns: [String], week: ISOWeek, line: Int?) throws -> DatasetTable {
        switch dataset.reference! {
        case .source(let source):
            return try table(source, columns: columns, timeColumn: nil, in: nil, line: line)
        case .weeksBefore(let weeks):
            let interval = week.adding(weeks: -weeks, zone: SnapshotLayout.utc).interval(in: SnapshotLayout.utc)
            return try table(dataset.source, columns: columns, timeColumn: dataset.timeColumn, in: interval, line: line)
        case .range(let interval):
            return try table(dataset.source, columns: columns, timeColumn: dataset.timeColumn, in: interval, line: line)
        }
    }

    mutating func rowCount(_ source: ChecksConfig.Source, timeColumn: String?, in range: DateInterval?, line: Int?) throws -> Int {
        switch source {
        case .file:
            return try table(source, columns: [], timeColumn: timeColumn, in: range, line: line).rows.count
        case .postgres(let variable, _, _):
            return try server(variable, line: line).rowCount(of: Self.relation(source), timeColumn: timeColumn, in: range)
        }
    }

    mutating func violations(of rule: ContractRule, in source: ChecksConfig.Source, line: Int?) throws -> RuleViolations {
        switch source {
        case .file(let path):
            return try rule.violations(in: file(path, line: line))
        case .postgres(let variable, _, _):
            return try server(variable, line: line).violations(of: rule, in: Self.relation(source))
        }
    }

    /// How long ago the latest row was written: by the server's clock for PostgreSQL
    /// (`NOW() - MAX(column)`), by this machine's for a file.
    mutating func freshness(_ source: ChecksConfig.Source, column: String, now: Date, line: Int?) throws -> (lagSeconds: Double, latest: Date?) {
        switch source {
        case .file(let path):
            let latest = try file(path, line: line).times(column).compactMap { $0 }.max()
            return (latest.map { now.timeIntervalSince($0) } ?? 0, latest)
        case .postgres(let variable, _, _):
            let fresh = try server(variable, line: line).freshness(of: Self.relation(source), column: column)
            return (fresh.lag ?? 0, fresh.latest)
        }
    }

    /// Closes the run's database connections.
    func close() {
        for server in servers.values { server.close() }
    }

    // MARK: Sources

    private mutating func file(_ path: String, line: Int?) throws -> DatasetTable {
        if let table = files[path] { return table }
        let full = workspace.root + "/" + path
        // A link may not lead out of the repository: checks.yaml names files in it, and a value
        // that does not read is quoted in the error.
        let root = URL(fileURLWithPath: workspace.root).resolvingSymlinksInPath().path
        guard URL(fileURLWithPath: full).resolvingSymlinksInPath().path.hasPrefix(root + "/") else {
            throw OpsError.file(
                ChecksConfig.path, line: line, "\(path) leads outside the repository (through a link)",
                fix: "Copy the file into the repository, or read it where it lives with `ops checks compare`")
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw OpsError.file(ChecksConfig.path, line: line, "\(path) is missing", fix: "Add the file, or fix its path in \(ChecksConfig.path)")
        }
        let input = SourceInput(name: path, data: data)
        let table = try DatasetTable.read(file: path, data: data)
        files[path] = table
        if !sources.contains(where: { $0.name == path }) { sources.append(input.file) }
        return table
    }

    private mutating func server(_ variable: String, line: Int?) throws -> PostgresSource {
        if let server = servers[variable] { return server }
        guard environment[variable]?.isEmpty == false else {
            throw OpsError.file(
                ChecksConfig.path, line: line, "this dataset reads PostgreSQL through $\(variable), which is not set",
                fix: "Set it to postgres://user:password@host:5432/db, or run the other use cases only (ops checks run --use-case NAME)")
        }
        let server = try PostgresSource(connectionVariable: variable, environment: environment)
        servers[variable] = server
        return server
    }

    /// Records a query's rows by their digest, so the same rows read again are the same input.
    private mutating func record(name: String, _ table: DatasetTable) {
        guard !sources.contains(where: { $0.name == name }) else { return }
        // Hashed a row at a time: a million rows never become one string.
        var hasher = SHA256()
        hasher.update(data: Data((table.columns.joined(separator: "\u{1F}") + "\n").utf8))
        for row in table.rows { hasher.update(data: Data((row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1F}") + "\n").utf8)) }
        sources.append(SnapshotSource.SourceFile(name: name, sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined()))
    }

    private static func relation(_ source: ChecksConfig.Source) -> PostgresRelation {
        guard case .postgres(_, let table, let query) = source else { preconditionFailure("not a PostgreSQL source") }
        return table.map { .table($0) } ?? .query(query!)
    }

    /// The rows of `table` whose `timeColumn` falls in `range`; a time that does not read is an
    /// error at its line.
    static func rows(of table: DatasetTable, timeColumn: String, in range: DateInterval) throws -> DatasetTable {
        var kept = DatasetTable(source: table.source, isFile: table.isFile, columns: table.columns, rows: [], lines: [])
        for (row, time) in try table.times(timeColumn).enumerated() {
            guard let time, time >= range.start, time < range.end else { continue }
            kept.rows.append(table.rows[row])
            kept.lines.append(table.lines[row])
        }
        return kept
    }
}
