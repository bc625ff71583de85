internal import CCmarkGFM
import Foundation

/// `pack.html`: the pack's Markdown rendered as GitHub renders it (cmark-gfm with its table,
/// task-list and strikethrough extensions), charts inlined as SVG, statuses marked with a colour
/// class beside their word, all inside the `templates/review/pack.html` page. One file, no
/// script, nothing fetched from anywhere.
enum ReviewHTML {
    static let templatePath = "templates/review/pack.html"

    /// The page for `markdown`, with each `![caption](name.svg)` of `charts` replaced by the chart itself.
    static func render(markdown: String, charts: [(name: String, svg: String)], template: String, values: [String: Any]) throws -> String {
        var body = html(markdown)
        for chart in charts {
            body = inline(chart, in: body)
        }
        body = markStatuses(body)
        var page = values
        page["body"] = body
        return try TemplateRenderer.render(template, path: templatePath, with: page)
    }

    /// CommonMark + GFM to HTML. Raw HTML in the Markdown is not passed through (no
    /// `CMARK_OPT_UNSAFE`): user text was escaped for Markdown already, and anything that still
    /// looks like a tag is dropped rather than trusted.
    static func html(_ markdown: String) -> String {
        cmark_gfm_core_extensions_ensure_registered()
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_GITHUB_PRE_LANG
        guard let parser = cmark_parser_new(options) else { return "" }
        defer { cmark_parser_free(parser) }
        for name in ["table", "tasklist", "strikethrough", "tagfilter"] {
            if let extensionHandle = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, extensionHandle)
            }
        }
        let bytes = Array(markdown.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cchars in
                cmark_parser_feed(parser, cchars.baseAddress, cchars.count)
            }
        }
        guard let document = cmark_parser_finish(parser) else { return "" }
        defer { cmark_node_free(document) }
        guard let rendered = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }

    /// `<img src="budget.svg" alt="caption" />` becomes a figure holding the SVG.
    static func inline(_ chart: (name: String, svg: String), in body: String) -> String {
        let opening = "<img src=\"\(chart.name)\" alt=\""
        var result = ""
        var rest = Substring(body)
        while let start = rest.range(of: opening) {
            guard let end = rest[start.upperBound...].range(of: "\" />") else { break }
            let caption = rest[start.upperBound..<end.lowerBound]
            result += rest[..<start.lowerBound]
            result += "<figure class=\"chart\">\n" + svgBody(chart.svg) + "<figcaption>\(caption)</figcaption>\n</figure>"
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    /// The SVG element alone, without the XML declaration a stand-alone file starts with.
    static func svgBody(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }

    /// Table cells whose whole text is a status word get a class for its colour; the word stays,
    /// so the meaning never rests on colour alone.
    static let statusClasses: [(text: String, cssClass: String)] = [
        ("RED", "status-red"), ("YELLOW", "status-yellow"), ("GREEN", "status-green"), ("NO DATA", "status-none"),
        ("OVER target", "status-red"), ("within target", "status-green"),
    ]

    static func markStatuses(_ body: String) -> String {
        var body = body
        for (text, cssClass) in statusClasses {
            body = body.replacingOccurrences(of: "<td>\(text)</td>", with: "<td class=\"\(cssClass)\"><span>\(text)</span></td>")
        }
        return body
    }
}
