import Foundation

/// One thing wrong in a file, as `ops lint` prints it: `path:line: message`.
public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var location: Location
    public var message: String
    /// A warning is printed but does not fail `ops lint`: the file works, but could say more clearly what it means.
    public var isWarning: Bool

    public init(_ location: Location, _ message: String, warning: Bool = false) {
        self.location = location
        // Checks may say "warning: ..." in the message itself.
        isWarning = warning || message.hasPrefix("warning: ")
        self.message = message.hasPrefix("warning: ") ? String(message.dropFirst(9)) : message
    }

    /// A problem from a thrown error (a file that does not parse at all).
    public init(_ error: Error) {
        let ops = OpsError.from(error)
        location = ops.location ?? Location(path: "", line: nil)
        message = ops.detail
        isWarning = false
    }

    public var description: String {
        let text = (isWarning ? "warning: " : "") + message
        return location.path.isEmpty ? text : location.prefix + text
    }
}
