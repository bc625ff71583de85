import Foundation

extension MarkdownDocument {
    /// A lint rule's reading of one file: `check` gets the document in `text` and the value
    /// `read` makes of it; a file that does not read has that error as its one problem.
    static func lint<Value>(
        _ text: String, path: String, reading read: (MarkdownDocument) throws -> Value,
        _ check: (_ document: MarkdownDocument, _ value: Value) -> [Problem]
    ) -> [Problem] {
        let document: MarkdownDocument
        let value: Value
        do {
            document = try MarkdownDocument(text, path: path)
            value = try read(document)
        } catch {
            return [Problem(error)]
        }
        return check(document, value)
    }
}
