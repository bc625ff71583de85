internal import CSV
public import Foundation

/// Reading a dataset from a file: CSV with a header row, or JSON lines (one object per line).
extension DatasetTable {
    /// What a file holds, from its name: `.csv`, or `.jsonl` / `.ndjson` for JSON lines.
    public enum FileKind: String, Sendable {
        case csv
        case jsonLines = "json lines"
    }

    /// The largest file ops reads as a dataset. Every value is kept as text in memory, several
    /// times the file's size; a sample for a drift check is far smaller.
    public static let maximumFileBytes = 128 * 1024 * 1024
    /// The most values (rows × columns) ops keeps from one file: a JSON-lines file can name
    /// many keys in a few bytes, and every later row has a place for each.
    public static let maximumValues = 20_000_000

    /// The kind `path`'s extension names, or an error that lists the ones ops reads.
    public static func fileKind(of path: String) throws -> FileKind {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonLines
        case "json":
            throw OpsError.input(
                "\(path): ops reads a dataset from .csv, .jsonl or .ndjson files. If it holds one JSON object per line, rename it to .jsonl")
        default:
            throw OpsError.input("\(path): ops reads a dataset from .csv, .jsonl or .ndjson files; the file's name must end in one of those")
        }
    }

    /// Reads the file at `path` (relative to `directory`), named as typed in messages. A file
    /// over `maximumFileBytes` is refused before it is read.
    public static func load(_ path: String, from directory: String) throws -> DatasetTable {
        _ = try fileKind(of: path)
        let full = Workspace.absolute(path, from: directory)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else {
            throw OpsError.input("cannot read \(path): no such file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? 0
        guard size <= maximumFileBytes else {
            throw OpsError.input(
                "\(path) is \(size / (1024 * 1024)) MiB, over the limit of \(maximumFileBytes / (1024 * 1024)) MiB for a dataset. Compare a sample of it")
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw OpsError.input("cannot read \(path): permission denied or not a regular file")
        }
        return try read(file: path, data: data)
    }

    /// The rows of a CSV or JSON-lines file, the kind taken from `path`'s extension. Empty
    /// values (an empty CSV field, JSON null, a key a line lacks) are nil. A file with no rows
    /// is an error.
    public static func read(file path: String, data: Data) throws -> DatasetTable {
        guard data.count <= maximumFileBytes else {
            throw OpsError.input("\(path) is over the limit of \(maximumFileBytes / (1024 * 1024)) MiB for a dataset. Compare a sample of it")
        }
        var text = try UTF8Text.decode(data, path: path)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw OpsError.file(path, line: nil, "the file is empty", fix: "A dataset needs rows to compare")
        }
        switch try fileKind(of: path) {
        case .csv: return try csv(text, path: path)
        case .jsonLines: return try jsonLines(text, path: path)
        }
    }

    /// CSV: the first line names the columns (RFC 4180 quoting, read with yaslab/CSV.swift);
    /// lines are counted here, since a quoted field may hold line breaks.
    private static func csv(_ text: String, path: String) throws -> DatasetTable {
        let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true)
        var line = 1
        var columns: [String]?
        var rows: [[String?]] = []
        var lines: [Int] = []
        while let record = reader.next() {
            let start = line
            line += 1 + record.reduce(0) { $0 + SLOCSV.lineBreaks(in: $1) }
            if record.allSatisfy(\.isEmpty) { continue }  // a blank line
            guard let header = columns else {
                if let blank = record.firstIndex(of: "") {
                    throw OpsError.file(path, line: start, "column \(blank + 1) of the header has no name", fix: "Name every column on the first line")
                }
                var seen = Set<String>()
                if let twice = record.first(where: { !seen.insert($0).inserted }) {
                    throw OpsError.file(path, line: start, "the header names column '\(twice)' twice", fix: "Give each column its own name")
                }
                columns = record
                continue
            }
            guard record.count == header.count else {
                throw OpsError.file(
                    path, line: start, "\(record.count) fields, but the header has \(header.count)", fix: "Quote fields that hold a comma")
            }
            rows.append(record.map { $0.isEmpty ? nil : $0 })
            lines.append(start)
            try checkSize(rows.count * header.count, path: path, line: start)
        }
        if let error = reader.error { throw OpsError.file(path, line: line, "cannot be read as CSV: \(error)") }
        guard let header = columns, !rows.isEmpty else {
            throw OpsError.file(path, line: nil, "has a header but no rows", fix: "A dataset needs rows to compare")
        }
        return DatasetTable(source: path, isFile: true, columns: header, rows: rows, lines: lines)
    }

    /// JSON lines: one object per line, each field a number, text, true/false or null.
    /// Columns are the keys in the order they first appear.
    private static func jsonLines(_ text: String, path: String) throws -> DatasetTable {
        var columns: [String] = []
        var position: [String: Int] = [:]
        var rows: [[String?]] = []
        var lines: [Int] = []
        var values = 0
        // "\r\n" is one Character in Swift, so it is a line break of its own.
        let split = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, raw) in split.enumerated() {
            let number = index + 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy(\.isWhitespace) { continue }
            let value: JSONValue
            switch JSONText.parse(line, firstLine: number) {
            case .success(let parsed): value = parsed
            case .failure(.truncated):
                throw OpsError.file(path, line: number, "this line is not complete JSON", fix: "A JSON-lines file has one whole object per line")
            case .failure(.invalid(_, let why)):
                throw OpsError.file(path, line: number, "not valid JSON (\(why))", fix: "A JSON-lines file has one object per line")
            }
            guard case .object(let members) = value.kind else {
                throw OpsError.file(path, line: number, "this line is not a JSON object", fix: "Write each row as {\"column\": value, ...}")
            }
            var row = [String?](repeating: nil, count: columns.count)
            for (key, field) in members {
                let column: Int
                if let known = position[key] {
                    column = known
                } else {
                    column = columns.count
                    position[key] = column
                    columns.append(key)
                    row.append(nil)
                }
                switch field.kind {
                case .number(let text), .string(let text): row[column] = text
                case .bool(let flag): row[column] = flag ? "true" : "false"
                case .null: row[column] = nil
                case .object, .array:
                    throw OpsError.file(
                        path, line: number, "'\(key)' is a nested object or list",
                        fix: "A dataset's fields are numbers, text, true/false or null; flatten it first")
                }
            }
            rows.append(row)
            lines.append(number)
            values += row.count
            try checkSize(values, path: path, line: number)
        }
        guard !rows.isEmpty else { throw OpsError.file(path, line: nil, "has no rows", fix: "A dataset needs rows to compare") }
        // Rows read before a key first appeared are shorter; `texts` and `numbers` read the
        // missing places as empty.
        return DatasetTable(source: path, isFile: true, columns: columns, rows: rows, lines: lines)
    }

    private static func checkSize(_ values: Int, path: String, line: Int) throws {
        guard values > maximumValues else { return }
        throw OpsError.file(
            path, line: line, "more than \(maximumValues) values (rows × columns), the most ops reads from one dataset",
            fix: "Compare a sample of it, or only the column you need")
    }
}
