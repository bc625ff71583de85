import Foundation

/// One thing wrong in a file, as `ops lint` prints it: `path:line: message`.
public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var location: Location
    public var message: String

    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

    /// A problem from a thrown error (a file that does not parse at all).
    public init(_ error: Error) {
        let ops = OpsError.from(error)
        location = ops.location ?? Location(path: "", line: nil)
        message = ops.detail
    }

    public var description: String { location.path.isEmpty ? message : location.prefix + message }
}
