import Foundation

/// The process's limit on open files, which bounds how many connections `ops serve` can hold.
///
/// The soft limit is often 1,024 (systemd and most shells) while the hard limit is far higher:
/// `raise()` lifts the soft limit to the hard one at start, as servers do, and the connection
/// cap is then sized below it, so a flood of sockets never leaves the process without a
/// descriptor for Git (accept would fail with EMFILE and nothing would be served).
public struct FileLimit: Sendable, Equatable {
    /// The soft limit in force.
    public var soft: Int
    public var hard: Int

    /// Descriptors kept back from connections: standard streams, the event loops, the listening
    /// socket, and what a commit opens (pack files, index, lock and temp files).
    public static let reserve = 128
    /// No more connections than this by default, however high the limit: Alertmanager needs a
    /// handful, and each idle connection still costs memory.
    public static let defaultConnectionCeiling = 4_096

    /// The limit now, without changing it.
    public static func current() -> FileLimit? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return FileLimit(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one (on macOS, at most OPEN_MAX) and returns the
    /// limit in force afterwards; where the raise is refused, the limit as it was.
    @discardableResult
    public static func raise() -> FileLimit? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        var wanted = limit.rlim_max
        #if canImport(Darwin)
            wanted = min(wanted, rlim_t(OPEN_MAX))
        #endif
        if wanted == infinity {
            // Linux refuses a soft limit above fs.nr_open; 2^20 is its default.
            wanted = 1 << 20
        }
        if wanted > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return FileLimit(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// The most connections this limit can carry with the reserve kept back (at least 16).
    public var connectionCapacity: Int { max(16, soft - Self.reserve) }

    /// The connection cap: `requested` (or the default ceiling), never above the capacity.
    public func connectionCap(requested: Int?) -> Int {
        min(requested ?? Self.defaultConnectionCeiling, connectionCapacity)
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value == infinity || value > rlim_t(Int.max) ? Int.max : Int(value)
    }

    #if os(Linux)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        /// glibc's RLIM_INFINITY is `(rlim_t) -1`, which Swift cannot import.
        private static let infinity = rlim_t.max
    #else
        private static let resource = RLIMIT_NOFILE
        private static let infinity = RLIM_INFINITY
    #endif
}
