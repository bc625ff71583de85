// libyaml, as Yams bundles it: its event parser keeps its own stacks, so it can walk any depth.
internal import CYaml
import Foundation

/// How deep a YAML text nests, read with libyaml's event parser before Yams builds nodes. Yams
/// builds them recursively, and so does every walk over them, so a text nested thousands deep
/// (`[[[[…`, a hand edit gone wrong or a hostile file) would overflow the stack before it
/// could be refused.
enum YAMLNesting {
    /// Far beyond any ops document: ops.yaml, the deepest, nests four levels.
    static let limit = 64

    /// The 1-based line where the nesting passes `limit`; nil when it does not, and for text
    /// libyaml cannot parse, which the parse that follows reports in its own words, unless
    /// libyaml stopped at its own nesting limit (its scanner reads a run of `[` ahead, so a
    /// deep one can stop it before the events get there).
    static func lineExceedingLimit(in text: String) -> Int? {
        var text = text
        return text.withUTF8 { bytes -> Int? in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, base, bytes.count)
            var depth = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > limit { return Int(event.start_mark.line) + 1 }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            if let problem = parser.problem, String(cString: problem).contains("nesting level") {
                return Int(parser.problem_mark.line) + 1
            }
            return nil
        }
    }

    /// The error for a text nested past the limit, naming the file line (`firstLine` is the
    /// file's line number of the text's first line).
    static func check(_ text: String, path: String, firstLine: Int = 1) throws {
        guard let line = lineExceedingLimit(in: text) else { return }
        throw OpsError.file(
            path, line: line - 1 + firstLine, "the YAML nests more than \(limit) levels deep",
            fix: "Look for a [ or { that is never closed; ops files nest a few levels")
    }
}
