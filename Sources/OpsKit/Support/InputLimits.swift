import Foundation

/// How much text one field may hold. A title is read on a phone at 3 a.m. and sits in every
/// listing, commit subject and pack table; a note is one timeline entry, not a log file. The
/// bounds keep a paste by mistake (or a hostile alert) from bloating every later read of the file.
public enum InputLimits {
    /// Characters in a title (incident, decision, backlog item).
    public static let titleCharacters = 200
    /// UTF-8 bytes in one note, decision text or other free text from a command line or standard input.
    public static let noteBytes = 16 * 1024

    /// Refuses a title longer than `titleCharacters`; `hint` says where the detail goes instead.
    static func checkTitle(_ title: String, hint: String) throws {
        let count = title.count
        guard count > titleCharacters else { return }
        throw OpsError.input("the title is \(count) characters, over the limit of \(titleCharacters). Shorten it; \(hint)")
    }

    /// Refuses free text longer than `noteBytes`.
    static func checkNote(_ text: String, what: String = "the note") throws {
        let count = text.utf8.count
        guard count > noteBytes else { return }
        throw OpsError.input(
            "\(what) is \(count) bytes, over the limit of \(noteBytes) (16 KiB). "
                + "Split it into several notes, or commit the long text as a file and note where it is")
    }

    /// A title made to fit, for text ops did not get from a person (an alert's summary), which
    /// must not be refused: cut at the limit with an ellipsis.
    static func clipped(_ title: String) -> String {
        title.count > titleCharacters ? String(title.prefix(titleCharacters - 1)) + "…" : title
    }
}
