import Foundation
internal import CGit2

/// A failure reported by libgit2, with its error code, class and message.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// libgit2's return code (`GIT_ENOTFOUND`, `GIT_EMODIFIED`, ...).
    public let code: Int32
    /// libgit2's error class (`GIT_ERROR_OS`, `GIT_ERROR_REFERENCE`, ...), 0 when none was set.
    public let errorClass: Int32
    public let message: String

    public var description: String { message }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    public var isModified: Bool { code == GIT_EMODIFIED.rawValue }
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }
    public var isExisting: Bool { code == GIT_EEXISTS.rawValue }
    public var isNotOwner: Bool { code == GIT_EOWNER.rawValue }

    init(code: Int32, errorClass: Int32, message: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    /// The one place a `GitError` is built from libgit2's thread-local last error.
    static func last(code: Int32) -> GitError {
        guard let error = git_error_last(), let text = error.pointee.message else {
            return GitError(code: code, errorClass: 0, message: "libgit2 failed with code \(code)")
        }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return GitError(code: code, errorClass: error.pointee.klass, message: message)
    }
}

/// Runs a libgit2 call result through the one error check: negative codes throw.
@discardableResult
func check(_ result: Int32) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(code: result) }
    return result
}
