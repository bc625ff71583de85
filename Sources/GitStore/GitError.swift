internal import CGit2
import Foundation

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
    public var isNotFastForward: Bool { code == GIT_ENONFASTFORWARD.rawValue }

    init(code: Int32, errorClass: Int32, message: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    /// The one place a `GitError` is built: from libgit2's thread-local last error, which is
    /// then cleared. libgit2 never clears it on success, and some failures set no message of
    /// their own (a callback's abort keeps whatever is there), so a message left behind would
    /// be shown for the next failure on this thread (git2-rs `Error::last_error` clears too).
    static func last(code: Int32) -> GitError {
        defer { git_error_clear() }
        guard let error = git_error_last(), let text = error.pointee.message else {
            return GitError(code: code, errorClass: 0, message: "libgit2 failed with code \(code)")
        }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return GitError(code: code, errorClass: error.pointee.klass, message: message)
    }
}

/// The funnel every libgit2 return code goes through: a negative code throws the `GitError`
/// built from (and clearing) libgit2's last error; any other value (some calls return a count
/// or a yes/no) is handed back. A caller that expects a code matches it on the thrown error.
@discardableResult
func check(_ result: Int32) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(code: result) }
    return result
}

/// `check` for a lookup: false when libgit2 answers `GIT_ENOTFOUND`, the only code that means
/// "not there"; every other failure throws.
func found(_ result: Int32) throws(GitError) -> Bool {
    do throws(GitError) {
        try check(result)
        return true
    } catch  where error.isNotFound {
        return false
    }
}

/// Runs a libgit2 call that makes a handle, and gives the handle to its owner before the result
/// is looked at, so no way out of here (a throw included) leaves it unowned.
func owned<Pointer, Owner: ~Copyable>(
    by wrap: (Pointer) -> Owner,
    _ call: (inout Pointer?) -> Int32
) throws(GitError) -> Owner {
    var out: Pointer?
    let result = call(&out)
    let owner = out.map(wrap)
    try check(result)
    guard let owner else { preconditionFailure("libgit2 reported success without making the handle") }
    return owner
}

/// `owned` for a lookup: nil when libgit2 answers `GIT_ENOTFOUND`.
func ownedIfFound<Pointer, Owner: ~Copyable>(
    by wrap: (Pointer) -> Owner,
    _ call: (inout Pointer?) -> Int32
) throws(GitError) -> Owner? {
    var out: Pointer?
    let result = call(&out)
    let owner = out.map(wrap)
    guard try found(result) else { return nil }
    guard let owner else { preconditionFailure("libgit2 reported success without making the handle") }
    return owner
}
