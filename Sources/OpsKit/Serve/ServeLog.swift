public import Foundation

/// `ops serve`'s log: one logfmt line per event on standard error (`ts=... event=delivery
/// status=200 ...`), which journald keeps as it is and `grep`, Loki or Vector can take apart.
/// Nothing that comes from a request header is ever written, so the token cannot leak here.
public struct ServeLog: Sendable {
    let write: @Sendable (String) -> Void
    let now: @Sendable () -> Date

    /// Writes to standard error, one `write` per line, so lines from concurrent requests never interleave.
    public static let standardError = ServeLog(write: { FileHandle.standardError.write(Data($0.utf8)) }, now: { Date() })

    public init(write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date) {
        self.write = write
        self.now = now
    }

    /// Writes `ts=<now> level=<level> event=<event>` and the fields, in the order given.
    public func record(_ event: String, level: String = "info", _ fields: KeyValuePairs<String, String> = [:]) {
        var line = "ts=\(Self.timestamp(now())) level=\(level) event=\(event)"
        for (key, value) in fields {
            line += " \(key)=\(Self.quoted(value))"
        }
        write(line + "\n")
    }

    /// A value as logfmt writes it: bare when it is one plain word, else in double quotes.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        if plain { return value }
        let escaped = BackslashEscapes.replacing(value, ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]) { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? String(format: "\\u%04x", scalar.value) : nil
        }
        return "\"" + escaped + "\""
    }

    private static func timestamp(_ date: Date) -> String {
        // Milliseconds: several deliveries land within one second under load.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: Double(millis / 1000))
        let base = Timestamp.format(seconds)
        return String(base.dropLast()) + String(format: ".%03dZ", Int(millis % 1000))
    }
}
