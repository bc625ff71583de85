import Foundation
import Mustache

/// Renders the team's mustache templates (`templates/`); a template that does not parse is an
/// error naming its file and line.
enum TemplateRenderer {
    static func render(_ template: String, path: String, with values: [String: Any]) throws -> String {
        do {
            return try MustacheTemplate(string: template).render(values)
        } catch let error as MustacheTemplate.ParserError {
            throw OpsError.file(
                path, line: error.context.lineNumber, "template does not parse: \(error.error)",
                fix: "Check the {{ }} tags on this line")
        }
    }
}
