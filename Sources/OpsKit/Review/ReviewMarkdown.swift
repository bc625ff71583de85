import Foundation

/// User text made safe for one line or one table cell of the pack's GitHub-flavoured Markdown.
enum ReviewMarkdown {
    /// Line breaks become spaces and pipes are escaped (as `PostmortemService.cell`), so a title
    /// cannot end a row or add a column; `<` becomes `&lt;`, so `<script>` or `</table>` shows as
    /// text instead of reaching the page as HTML; `![` loses its meaning, so a title cannot make
    /// the page fetch an image from another host. (`>` and `&` cannot open a tag, and left alone
    /// they keep the file readable as plain text.)
    static func text(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: .newlines).joined(separator: " ")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "![", with: "!\\[")
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
