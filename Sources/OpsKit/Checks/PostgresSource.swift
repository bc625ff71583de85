public import Foundation
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import NIOSSL
internal import PostgresNIO

/// A PostgreSQL database that checks read: rows, counts, freshness and rule violations of a
/// table or query. It only reads: every call is one READ ONLY transaction (repeatable read, so
/// its statements see one snapshot) with a statement timeout, rolled back at the end.
///
/// Calls block the calling thread until the server answers; call them from a thread that may
/// block (the CLI's), never from async code or an event loop. The connection is opened at the
/// first call and kept until `close()` (or the end of the source); the event loop is NIO's
/// shared one, so no thread is left behind.
public final class PostgresSource {
    /// How long one statement may run on the server before it stops it (`statement_timeout`).
    public static let defaultStatementTimeout: TimeInterval = 30
    /// The most rows `rows(of:…)` reads; past it the call fails rather than fill memory.
    public static let defaultRowLimit = 1_000_000

    let endpoint: PostgresEndpoint
    public let statementTimeout: TimeInterval
    public let rowLimit: Int
    private var connection: PostgresConnection?
    private let logger = Logger(label: "ops.checks.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Reads the database's URL from `environment[connectionVariable]`; connects at the first call.
    public init(
        connectionVariable: String, environment: [String: String], statementTimeout: TimeInterval = defaultStatementTimeout,
        rowLimit: Int = defaultRowLimit
    ) throws {
        endpoint = try PostgresEndpoint(variable: connectionVariable, environment: environment)
        self.statementTimeout = max(1, statementTimeout)
        self.rowLimit = min(max(1, rowLimit), Int(Int32.max))
    }

    /// `$PAYMENTS_DB_URL (user app at db.internal:5432/payments)`: what messages call it.
    public var description: String { endpoint.description }

    deinit { close() }

    /// Closes the connection, if one is open.
    public func close() {
        guard let connection else { return }
        self.connection = nil
        try? connection.close().wait()
    }

    // MARK: What checks read

    /// The rows of `columns`, as text (NULL as nil), numbered 1, 2, … in the order read: by
    /// `timeColumn` when one is given, else as the server returns them. With `range`, only rows
    /// whose `timeColumn` is in it (start included, end not). More than `rowLimit` rows is an
    /// input error that says to narrow the dataset.
    public func rows(
        of relation: PostgresRelation, columns: [String], timeColumn: String? = nil, in range: DateInterval? = nil
    ) throws -> DatasetTable {
        guard !columns.isEmpty else { throw OpsError.input("no columns to read from \(relation.description)") }
        let from = try relation.sql()
        let list = try columns.map { try PostgresSQL.identifier($0) + "::text" }.joined(separator: ", ")
        var binds = PostgresBindings()
        let filter = try Self.filter(timeColumn: timeColumn, range: range, binds: &binds)
        let order = try timeColumn.map { " ORDER BY \(try PostgresSQL.identifier($0))" } ?? ""
        let sql = "SELECT \(list) FROM \(from)\(filter)\(order) LIMIT \(rowLimit + 1)"
        let rows = try read(relation) { try $0.run(sql, binds) }
        guard rows.count <= rowLimit else {
            throw OpsError.input(
                "\(relation.description) has more than \(rowLimit) rows\(range == nil ? "" : " in the time range"); a check reads at most that many. Narrow it with a time range or a query that samples"
            )
        }
        let values = try rows.map { row in try row.makeRandomAccess().map { try $0.decode(String?.self) } }
        return DatasetTable(
            source: "\(relation.description) on $\(endpoint.variable)", isFile: false, columns: columns, rows: values, lines: Array(1..<(values.count + 1)))
    }

    /// How old the newest `column` value is, computed by the server as `NOW() - MAX(column)`.
    public func freshness(of relation: PostgresRelation, column: String) throws -> Freshness {
        let from = try relation.sql()
        let name = try PostgresSQL.identifier(column)
        let latest = "max(\(name))::timestamptz"
        let sql = "SELECT \(latest), extract(epoch FROM now() - \(latest))::float8, now(), count(*)::int8 FROM \(from)"
        let rows = try read(relation) { try $0.run(sql, PostgresBindings()) }
        guard let row = rows.first else { throw OpsError.repository("PostgreSQL gave no answer to the freshness of \(relation.description)") }
        let (newest, lag, now, count) = try row.decode((Date?, Double?, Date, Int).self)
        return Freshness(relation: relation, column: column, latest: newest, lag: lag, checkedAt: now, rows: count)
    }

    /// How many rows there are (with `range`, whose `timeColumn` is in it: start included, end not).
    public func rowCount(of relation: PostgresRelation, timeColumn: String? = nil, in range: DateInterval? = nil) throws -> Int {
        let from = try relation.sql()
        var binds = PostgresBindings()
        let filter = try Self.filter(timeColumn: timeColumn, range: range, binds: &binds)
        let rows = try read(relation) { try $0.run("SELECT count(*)::int8 FROM \(from)\(filter)", binds) }
        return try rows.first?.decode(Int.self) ?? 0
    }

    /// The rows breaking `rule`, counted by the server, with up to five examples named by
    /// `keyColumn` (`row with id = 42: amount_usd = -3.5`) in its order; without one, an
    /// example shows only the values.
    public func violations(of rule: ContractRule, in relation: PostgresRelation, keyColumn: String? = nil) throws -> RuleViolations {
        let sql = try RuleSQL(rule: rule, relation: try relation.sql(), keyColumn: rule.kind == .unique ? nil : keyColumn)
        var binds = PostgresBindings()
        if let bound = sql.bound { try binds.append(bound) }
        let (counts, rows) = try read(relation) { session in
            (try session.run(sql.count, binds), try session.run(sql.examples, binds))
        }
        guard let counted = counts.first else { throw OpsError.repository("PostgreSQL gave no count for '\(rule.description)' on \(relation.description)") }
        let (total, violating) = try counted.decode((Int, Int).self)
        let examples = try rows.map { row in
            let cells = row.makeRandomAccess()
            if rule.kind == .unique {
                let values = try (0..<rule.columns.count).map { try cells[$0].decode(String?.self) }
                return RuleSQL.example(of: rule, keyColumn: nil, values: values, groupSize: try cells[rule.columns.count].decode(Int.self))
            }
            let values = try cells.map { try $0.decode(String?.self) }
            return RuleSQL.example(of: rule, keyColumn: keyColumn, values: values, groupSize: nil)
        }
        return RuleViolations(rule: rule, rows: total, violating: violating, examples: examples)
    }

    // MARK: Connection and transaction

    /// The statements of one call, inside its transaction.
    struct Session {
        let connection: PostgresConnection
        let logger: Logger

        func run(_ sql: String, _ binds: PostgresBindings) throws -> [PostgresRow] {
            Array(try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait())
        }
    }

    /// Runs `body` in a READ ONLY transaction with the statement timeout, then rolls it back;
    /// every error comes out as one line naming the database and, for SQL, `relation`.
    private func read<T>(_ relation: PostgresRelation, _ body: (Session) throws -> T) throws -> T {
        let connection = try connect()
        let session = Session(connection: connection, logger: logger)
        // The server enforces the timeout; this guard closes the connection if it does not
        // answer at all (a dead network), so a check cannot hang forever.
        let guardTime = TimeAmount.milliseconds(Int64((statementTimeout + 15) * 1000))
        let watchdog = connection.eventLoop.scheduleTask(in: guardTime) {
            let _: EventLoopFuture<Void> = connection.close()
        }
        defer { watchdog.cancel() }
        do {
            _ = try session.run("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", PostgresBindings())
            var settings = PostgresBindings()
            settings.append("\(Int(statementTimeout * 1000))")
            // Timestamps read as text come out in UTC, whatever the server's or role's zone.
            _ = try session.run("SELECT set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true)", settings)
            let result = try body(session)
            _ = try session.run("ROLLBACK", PostgresBindings())
            return result
        } catch {
            if connection.isClosed {
                self.connection = nil
            } else {
                _ = try? session.run("ROLLBACK", PostgresBindings())
            }
            throw PostgresFailure.describe(error, endpoint: endpoint, relation: relation, timeout: statementTimeout)
        }
    }

    private func connect() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        do {
            var configuration = PostgresConnection.Configuration(
                host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password, database: endpoint.database,
                tls: try tls())
            configuration.options.connectTimeout = .seconds(10)
            if endpoint.tls == .verifyFull { configuration.options.tlsServerName = endpoint.host }
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
            self.connection = connection
            return connection
        } catch {
            throw PostgresFailure.describe(error, endpoint: endpoint, relation: nil, timeout: statementTimeout)
        }
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch endpoint.tls {
        case .disable:
            return .disable
        case .prefer:
            // libpq's prefer and require encrypt without checking whose certificate it is.
            configuration.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: configuration))
        case .require:
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    /// ` WHERE "event_ts" >= $1 AND "event_ts" < $2`, or nothing without a range.
    private static func filter(timeColumn: String?, range: DateInterval?, binds: inout PostgresBindings) throws -> String {
        guard let range else { return "" }
        guard let timeColumn else { throw OpsError.input("a time range needs the dataset's time column; name it in the check") }
        let name = try PostgresSQL.identifier(timeColumn)
        binds.append(range.start)
        binds.append(range.end)
        return " WHERE \(name) >= $1 AND \(name) < $2"
    }
}

/// How fresh a table is: its newest timestamp and how long ago that was, by the server's clock.
public struct Freshness: Sendable, Equatable {
    public var relation: PostgresRelation
    public var column: String
    /// The newest value of `column`; nil when no row has one (an empty table).
    public var latest: Date?
    /// `NOW() - MAX(column)` in seconds, as the server computed it; nil when `latest` is.
    public var lag: TimeInterval?
    /// The server's `NOW()`.
    public var checkedAt: Date
    /// The rows the maximum was taken over.
    public var rows: Int

    /// `newest event_ts 2026-11-05T10:35:00Z, 25 min ago`, or that there is none.
    public var summary: String {
        guard let latest, let lag else {
            return rows == 0
                ? "\(relation.description) has no rows, so no newest \(column)" : "\(relation.description) has no \(column) in any of its \(rows) rows"
        }
        let minutes = (lag / 60 * 10).rounded() / 10
        return "newest \(column) \(latest.formatted(.iso8601)), \(minutes) min ago"
    }
}
