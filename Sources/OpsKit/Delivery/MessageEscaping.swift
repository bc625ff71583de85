import Foundation

/// User text (titles, names, updates) made safe to put in a chat message: it shows as typed,
/// and cannot ping a channel, mention someone, forge a link or restyle the message (issue 18,
/// "Hostile text"). Slack and Teams read different markup, so each has its own rule.
enum MessageEscaping {
    /// U+2060 WORD JOINER: invisible, not whitespace, not punctuation, and (unlike U+200D ZERO
    /// WIDTH JOINER) never fuses the characters around it into one emoji. Put next to a
    /// character, it keeps that character from being read as markup while the text still
    /// looks the same.
    static let joiner: Character = "\u{2060}"

    /// Slack mrkdwn. `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;`, as Slack's formatting
    /// reference asks: every mention (`<!channel>`, `<@U123>`) and link (`<http://x|click>`)
    /// is written between angle brackets, so with them escaped none can form. Mrkdwn has no
    /// backslash escape for the rest, so:
    /// - each `@` is followed by a word joiner: `@here`, `@channel`, `@everyone` (and `@name`,
    ///   which Slack resolves when a webhook's `link_names` is on) no longer read as the word;
    /// - each of `*`, `_`, `~` and `` ` `` has a word joiner on both sides: mrkdwn opens a span
    ///   only at the start of text or after a space or punctuation, and closes it only before
    ///   one, so a marker between two joiners does neither, and `*bold*` shows its asterisks.
    /// Code spans were the other choice, but a title with a backtick breaks out of one, and a
    /// whole message in code reads worse at 3 a.m. than the odd invisible character.
    /// `limit` bounds the escaped length (Slack refuses a section over 3,000 characters) without
    /// ever cutting an entity in half; a cut text ends in `…`.
    static func slack(_ text: String, limit: Int = 3000) -> String {
        escape(text, limit: limit) { character in
            switch character {
            case "&": return "&amp;"
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "@": return "@\(joiner)"
            case "*", "_", "~", "`": return "\(joiner)\(character)\(joiner)"
            default: return nil
            }
        }
    }

    /// The Markdown subset of an Adaptive Card TextBlock (bold, italic, lists, links), as Teams
    /// renders it with a CommonMark parser: ASCII punctuation behind a backslash is shown as
    /// itself, so `\`, `*`, `_`, `~`, `` ` ``, `[`, `]`, `(`, `)` are escaped that way, and so are
    /// `-`, `+`, `#` and the `.` of `1.` at the start of a line (a list or heading marker there
    /// only). A `<` is followed by a word joiner, because Teams turns `<at>name</at>` into a
    /// mention by plain text substitution, which a backslash would not stop; `@` gets one too,
    /// so `@here` in a card reads the same as in Slack and a copied message pings nobody.
    static func teams(_ text: String, limit: Int = 3000) -> String {
        var atLineStart = true
        var digitsAtLineStart = false
        return escape(text, limit: limit) { character in
            defer {
                digitsAtLineStart = (atLineStart || digitsAtLineStart) && character.isASCII && character.isNumber
                atLineStart = character == "\n" || (atLineStart && character == " ")
            }
            switch character {
            case "\\", "*", "_", "~", "`", "[", "]", "(", ")": return "\\\(character)"
            case "-" where atLineStart, "+" where atLineStart, "#" where atLineStart: return "\\\(character)"
            case "." where digitsAtLineStart: return "\\."
            case "<": return "<\(joiner)"
            case "@": return "@\(joiner)"
            default: return nil
            }
        }
    }

    /// Text with each character replaced by `replacement(character)` where it is not nil; when
    /// that is longer than `limit` characters, cut between replacements and ended with `…`.
    private static func escape(_ text: String, limit: Int, _ replacement: (Character) -> String?) -> String {
        let pieces = text.map { replacement($0) ?? String($0) }
        let total = pieces.reduce(0) { $0 + $1.count }
        guard total > limit else { return pieces.joined() }
        var result = ""
        var length = 0
        for piece in pieces {
            guard length + piece.count < limit else { break }
            result += piece
            length += piece.count
        }
        return result + "…"
    }
}
