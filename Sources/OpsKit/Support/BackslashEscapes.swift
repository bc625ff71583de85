/// Backslash escapes as tab-separated text files write them (`\t`, `\n`, `\r`, `\\`): the parse
/// cache's own format, and PostgreSQL's COPY text format that Dispatch exports use.
enum BackslashEscapes {
    static let control: [Character: Character] = ["t": "\t", "n": "\n", "r": "\r"]

    /// `text` with each escape replaced by what `meaning` says; any other escaped character
    /// stands for itself (`\\` is a backslash).
    static func decode(_ text: String, _ meaning: [Character: Character] = control) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                result.append(meaning[character] ?? character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
