// libyaml itself, as Yams builds it: its event stream shows anchors and aliases before anything
// is composed. Yams' composer gives no such hook: it replaces each alias with the anchored node,
// so a 1 KB "billion laughs" file becomes a tree whose walk or hash never ends.
internal import CYaml
import Foundation

extension YAMLText {
    /// The first anchor (`&name`) or alias (`*name`) in `text`, by file line (1-based, counted
    /// from the text's first line), nil when there is none or the text does not parse (the
    /// composer then says why). Reads libyaml's events only, so nothing is ever expanded.
    static func firstAnchorOrAlias(in text: String) -> (line: Int, name: String, isAlias: Bool)? {
        // Nearly every document has neither character; skip the second pass over those.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "*") }) else { return nil }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { return nil }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> (Int, String, Bool)? in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let found: (UnsafeMutablePointer<yaml_char_t>?, Bool)
                switch event.type {
                case YAML_STREAM_END_EVENT: return nil
                case YAML_ALIAS_EVENT: found = (event.data.alias.anchor, true)
                case YAML_SCALAR_EVENT: found = (event.data.scalar.anchor, false)
                case YAML_SEQUENCE_START_EVENT: found = (event.data.sequence_start.anchor, false)
                case YAML_MAPPING_START_EVENT: found = (event.data.mapping_start.anchor, false)
                default: found = (nil, false)
                }
                if let anchor = found.0 {
                    return (line, String(cString: UnsafePointer(anchor)), found.1)
                }
            }
            return nil
        }
    }

    /// Refuses anchors and aliases: ops reads every value where it is written, and an alias
    /// would let a short hand edit stand for an exponentially large document.
    static func refuseAliases(in text: String, path: String, firstLine: Int) throws {
        guard let found = firstAnchorOrAlias(in: text) else { return }
        let line = found.line - 1 + firstLine
        if found.isAlias {
            throw OpsError.file(
                path, line: line, "`*\(found.name)`: aliases are not allowed in ops documents",
                fix: "Write the value of `&\(found.name)` out in full here")
        }
        throw OpsError.file(
            path, line: line, "`&\(found.name)`: aliases are not allowed in ops documents",
            fix: "Write this value out in full wherever `*\(found.name)` stands, then delete `&\(found.name)`")
    }
}
