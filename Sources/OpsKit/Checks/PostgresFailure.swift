import Foundation
internal import NIOCore
internal import NIOSSL
internal import PostgresNIO

/// PostgresNIO's errors as one line for the user. Cannot connect, or the server refuses the
/// login or the database: exit 3, naming host:port and the variable to check. The server
/// refuses the SQL (no such table or column, a syntax error, the timeout): exit 2, quoting
/// the server and naming the table or query. No message holds the password or the URL.
enum PostgresFailure {
    static func describe(_ error: any Error, endpoint: PostgresEndpoint, relation: PostgresRelation?, timeout: TimeInterval) -> OpsError {
        if let error = error as? OpsError { return error }
        let place = "PostgreSQL at \(endpoint.host):\(endpoint.port)"
        let check = "Check $\(endpoint.variable)"
        if let error = error as? PostgresDecodingError {
            return .repository(
                "\(place) answered with a \(error.postgresType) where ops expected another type, in column \(error.columnName). This is a bug in ops; please report it"
            )
        }
        guard let error = error as? PSQLError else {
            return .repository(
                "cannot connect to \(place) (from $\(endpoint.variable)): \(reason(error)). Check that the server is up and the host and port in $\(endpoint.variable)"
            )
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = ConnectionError.oneLine(error.serverInfo?[.message] ?? "an error without a message")
            let hint = error.serverInfo?[.hint].map { " (\(ConnectionError.oneLine($0)))" } ?? ""
            if state.hasPrefix("28") {
                return .repository("\(place) refused user \(endpoint.user): \(message). \(check): its user and password")
            }
            if state == "3D000" {
                return .repository("\(place) has no database \(endpoint.database): \(message). \(check): its database name")
            }
            // Too many connections, shutting down, starting up: the server, not the check.
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
                return .repository("\(place) cannot serve the check now: \(message). Run it again later")
            }
            let subject = relation?.description ?? "the login to \(endpoint.database)"
            if state == "57014" {
                return .input(
                    "\(subject) did not finish within \(Int(timeout)) s (the statement timeout), so the server stopped it. Narrow it with a time range, or query an indexed column"
                )
            }
            if state == "25006" {
                return .input("\(subject) tries to change the database, and checks only read: \(message)")
            }
            guard relation != nil else { return .repository("\(place) refused the connection: \(message)\(hint). \(check)") }
            return .input("PostgreSQL refused \(subject): \(message)\(hint). Check the table, column and query names in the check")
        case .sslUnsupported:
            return .repository(
                "\(place) does not offer TLS, and $\(endpoint.variable) asks for sslmode=\(endpoint.tls.rawValue). Turn on ssl on the server, or use sslmode=disable on a network you trust"
            )
        case .authMechanismRequiresPassword:
            return .repository(
                "\(place) asks user \(endpoint.user) for a password, and $\(endpoint.variable) has none. \(check): write postgres://USER:PASSWORD@…")
        case .unsupportedAuthMechanism:
            return .repository(
                "\(place) asks for a login method ops does not have (it has SCRAM-SHA-256, MD5 and password). \(check), or the server's pg_hba.conf")
        case .saslError:
            return .repository("\(place) refused user \(endpoint.user): the SCRAM login failed. \(check): its user and password")
        case .clientClosedConnection:
            return .repository("\(place) did not answer within \(Int(timeout) + 15) s, so ops gave up. Check the server and the network to it")
        default:
            let cause = error.underlying.map(reason) ?? "the connection failed (\(error.code))"
            return .repository(
                "cannot connect to \(place) (from $\(endpoint.variable)): \(cause). Check that the server is up and the host and port in $\(endpoint.variable)")
        }
    }

    /// Why a connection could not be made, in plain words.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError, let underlying = error.underlying { return reason(underlying) }
        if let error = error as? NIOSSLError { return "TLS failed (\(ConnectionError.oneLine(String(describing: error))))" }
        if let error = error as? BoringSSLError { return "TLS failed (\(ConnectionError.oneLine(String(describing: error))))" }
        if let error = error as? ChannelError, case .connectTimeout(let time) = error {
            return "no answer within \(time.nanoseconds / 1_000_000_000) s"
        }
        return ConnectionError.describe(error)
    }
}
