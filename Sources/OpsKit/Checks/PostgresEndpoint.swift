import Foundation

/// Where a PostgreSQL source connects, read from a `postgres://user:password@host:port/db?sslmode=…`
/// URL in an environment variable. The password is kept only to log in: `description` and every
/// message name the variable, host, port, database and user, never the password or the URL.
struct PostgresEndpoint: Equatable, CustomStringConvertible {
    /// How the connection is encrypted, as libpq's `sslmode` says it.
    enum TLSMode: String, CaseIterable {
        /// Plain text.
        case disable
        /// TLS when the server offers it, else plain text; the certificate is not checked (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not checked (libpq's `require`).
        case require
        /// TLS, with the certificate checked against the system's trusted roots and the host name.
        case verifyFull = "verify-full"
    }

    /// The environment variable the URL came from, without the `$`.
    var variable: String
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: TLSMode

    /// `$PAYMENTS_DB_URL (user app at db.internal:5432/payments)`, for messages.
    var description: String { "$\(variable) (user \(user) at \(host):\(port)/\(database))" }

    /// Reads the URL in `variable`. A missing variable or a URL that cannot be used is an input
    /// error naming the variable and what is wrong, never quoting the URL (it holds the password).
    init(variable: String, environment: [String: String]) throws {
        self.variable = variable
        guard let text = environment[variable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw OpsError.input(
                "the environment variable \(variable) is not set; set it to the database's URL, like postgres://USER:PASSWORD@HOST:5432/DATABASE")
        }
        func refuse(_ problem: String) -> OpsError {
            OpsError.input("$\(variable) \(problem); it must be a URL like postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=require")
        }
        guard let url = URLComponents(string: text) else { throw refuse("is not a URL (write @ : / # ? % in the password as %40 %3A %2F %23 %3F %25)") }
        guard let scheme = url.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw refuse("does not start with postgres://")
        }
        guard var host = url.host, !host.isEmpty else { throw refuse("has no host") }
        // An IPv6 literal comes back in brackets on some platforms; connecting wants it bare.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        if let port = url.port {
            guard (1...65535).contains(port) else { throw refuse("has port \(port), which is not a TCP port") }
            self.port = port
        } else {
            port = 5432
        }
        guard let user = url.user?.removingPercentEncoding, !user.isEmpty else { throw refuse("has no user name") }
        self.user = user
        password = url.password?.removingPercentEncoding
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let database = path.removingPercentEncoding ?? path
        guard !database.contains("/") else { throw refuse("has a path that is not a database name") }
        // libpq's rule: without a database, the user's own.
        self.database = database.isEmpty ? user : database
        tls = .prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw refuse(
                        "has sslmode=\(item.value ?? ""), which ops does not know (use \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                tls = mode
            default:
                throw refuse("has the setting '\(item.name)', which ops does not use (only sslmode is read)")
            }
        }
    }
}
