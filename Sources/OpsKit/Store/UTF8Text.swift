public import Foundation

/// Bytes read as UTF-8 text, or refused with the line of the first byte that is not UTF-8.
/// ops never repairs text (Swift's `String(decoding:as:)` would turn each bad byte into U+FFFD
/// and the next write would store that in place of the person's bytes); every command refuses alike.
public enum UTF8Text {
    /// `data` as text; `path` names the file in the error.
    public static func decode(_ data: Data, path: String) throws -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        let (line, byte) = firstInvalid(in: data)
        throw OpsError.file(
            path, line: line, "is not valid UTF-8 (byte \(hex(byte)))",
            fix: "Save the file as UTF-8 in your editor, then run the command again")
    }

    /// Text a person passed (`what`: "argument 3", "standard input"), or refused.
    public static func decode(_ data: Data, what: String) throws -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        let (line, byte) = firstInvalid(in: data)
        throw OpsError.input("\(what) is not valid UTF-8 (byte \(hex(byte)) on line \(line)). Send the text as UTF-8")
    }

    static func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    /// The line (1-based) and value of the first byte that does not belong to valid UTF-8.
    static func firstInvalid(in data: Data) -> (line: Int, byte: UInt8) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var line = 1, offset = data.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == 0x0A { line += 1 }
                offset += encoded.count
            case .error:
                return (line, data[offset])
            case .emptyInput:
                return (line, 0)
            }
        }
    }
}
