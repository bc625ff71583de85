/// Backslash escapes as tab-separated text files write them (`\t`, `\n`, `\r`, `\\`): the format
/// of ops's cache and index files, and PostgreSQL's COPY text format that Dispatch exports use.
enum BackslashEscapes {
    static let control: [Character: Character] = ["t": "\t", "n": "\n", "r": "\r"]

    /// What the cache and index files escape besides `control`: the separators they join lists
    /// and pairs with inside a field, and NUL, so no text can pass for either.
    static let separators: [Character: Character] = control.merging(["s": "\u{1E}", "u": "\u{1F}", "0": "\u{0}"]) { a, _ in a }

    /// `text` with each escape replaced by what `meaning` says; any other escaped character
    /// stands for itself (`\\` is a backslash). Read scalar by scalar, so an escaped line break
    /// followed by a combining mark is still a line break.
    static func decode(_ text: String, _ meaning: [Character: Character] = control) -> String {
        // Most fields hold no escape: a byte scan finds that fastest (the parse cache reads every field).
        guard text.utf8.contains(0x5C) else { return text }
        var result = String.UnicodeScalarView()
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                if let replacement = meaning[Character(scalar)] {
                    result.append(contentsOf: replacement.unicodeScalars)
                } else {
                    result.append(scalar)
                }
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The inverse of `decode`: a backslash before every backslash, and each character that
    /// `meaning` gives a letter for written as that letter after a backslash. Those characters
    /// are control characters (below U+0020), as in both tables here, so most text is passed
    /// through after one byte scan: a cache writes every field of every incident with this.
    static func encode(_ text: String, _ meaning: [Character: Character] = control) -> String {
        guard text.utf8.contains(where: { $0 == 0x5C || $0 < 0x20 }) else { return text }
        var letters: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (letter, character) in meaning {
            if let from = character.unicodeScalars.first, let to = letter.unicodeScalars.first { letters[from] = to }
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\\" {
                result.append(contentsOf: "\\\\".unicodeScalars)
            } else if let letter = letters[scalar] {
                result.append("\\")
                result.append(letter)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `text` with each scalar that `table` names replaced by its text there, and any other that
    /// `other` gives a text for (logfmt's `\u0001`) replaced by that: the escapes of a format
    /// that writes, but never reads, them (iCalendar TEXT values, logfmt).
    static func replacing(_ text: String, _ table: [Unicode.Scalar: String], other: (Unicode.Scalar) -> String? = { _ in nil }) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if let replacement = table[scalar] ?? other(scalar) {
                result += replacement
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
