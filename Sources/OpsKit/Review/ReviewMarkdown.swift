import Foundation

/// User text made safe for one line or one table cell of the pack's GitHub-flavoured Markdown.
enum ReviewMarkdown {
    /// Text shows as typed, never as Markdown. Line breaks become spaces and pipes are escaped
    /// (as `PostmortemService.cell`), so a title cannot end a row or add a column; `<` becomes
    /// `&lt;`, so `<script>` or `</table>` shows as text instead of reaching the page as HTML; the
    /// characters that make links, images, emphasis and code (brackets, `*`, `_`, `~`, backtick,
    /// backslash) and an `&` that starts a character reference are backslash-escaped, so
    /// `[fix](https://...)` in a title is text in pack.html, not a live link. (`>` and a lone `&`
    /// open nothing, and left alone they keep the file readable as plain text.)
    static func text(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: .newlines).joined(separator: " ")
        var result = ""
        var previous: Character?
        var index = flat.startIndex
        while index < flat.endIndex {
            let character = flat[index]
            let next = flat.index(after: index)
            switch character {
            case "\\", "`", "*", "[", "]", "~", "|":
                result += "\\" + String(character)
            case "_" where !(isWordCharacter(previous) && isWordCharacter(next < flat.endIndex ? flat[next] : nil)):
                // Inside a word (`ops_copilot`) an underscore cannot start emphasis; keep it bare.
                result += "\\_"
            case "<":
                result += "&lt;"
            case "&" where isCharacterReference(flat[next...]):
                result += "\\&"
            default:
                result.append(character)
            }
            previous = character
            index = next
        }
        return result
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        character.map { $0.isLetter || $0.isNumber } ?? false
    }

    /// `copy;`, `#169;`, `#x2014;`: what, after an `&`, HTML reads as a character reference.
    private static func isCharacterReference(_ text: Substring) -> Bool {
        let name = text.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "#") }
        return !name.isEmpty && text.dropFirst(name.count).first == ";"
    }

    /// The rendered template tidied: no trailing spaces, at most one blank line in a row (an
    /// empty `*_none` sentence leaves one), and one line break at the end.
    static func tidy(_ markdown: String) -> String {
        var lines: [Substring] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.reversed().drop { $0 == " " }.reversed()
            let text = Substring(String(trimmed))
            if text.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(text)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `1h 02m`, or `–` when unknown.
    static func duration(_ seconds: Double?) -> String {
        seconds.map(DurationFormat.short) ?? "–"
    }

    /// `+12m`, `−3m`, `±0s`, or `–` when either side is unknown.
    static func change(_ now: Double?, _ before: Double?) -> String {
        guard let now, let before else { return "–" }
        let delta = now - before
        if delta.rounded() == 0 { return "±0s" }
        return (delta > 0 ? "+" : "−") + DurationFormat.short(abs(delta))
    }

    /// `103.8 %`, or `–`.
    static func percent(_ ratio: Double?, digits: Int = 1) -> String {
        ratio.map { SLONumber.percent($0, digits: digits) } ?? "–"
    }

    /// `+4.2 %`, `−1.5 %`, or `–`.
    static func signedPercent(_ ratio: Double?) -> String {
        guard let ratio, ratio.isFinite else { return "–" }
        return (ratio > 0 ? "+" : ratio < 0 ? "−" : "±") + SLONumber.percent(abs(ratio), digits: 1)
    }
}
