import Foundation

/// `IncidentColumns` kept in `.git/ops/incidents.columns` for one `incidents/` tree, beside the
/// parse cache (IncidentCache). Derived and versioned: a file for another tree, of another
/// version or damaged is ignored and written again, so deleting it only costs one slower run.
///
/// Format, after the text header line and the tree id line, little-endian:
///
///     u32 rows, u32 strings
///     u32 × strings          byte length of each string
///     bytes                  the strings, UTF-8, one after the other
///     u32 × rows             id, title, severity (string numbers)
///     u8 × rows              status (IncidentStatus order)
///     u32 × rows             service, use case, commander, source (string number, or none)
///     u32 × (rows + 1)       where each incident's tags start in the tag list, and its end
///     u32 × tag list         tags (string numbers)
///     f64 × rows, 7 times    clock points in ClockPoint order, seconds since 2001-01-01, NaN unknown
///
///     23 bytes               the seal of all the bytes before it (`LineChecksum.seal`)
///
/// Every text is stored once (a severity or service shared by thousands of incidents too), and
/// lengths are explicit, so no text needs escaping and none can break a record. A changed byte
/// breaks the seal, so a damaged file is made again rather than counted.
enum IncidentColumnsFile {
    static let header = "ops incident columns 2\n"
    static let name = "incidents.columns"
    private static let none = UInt32.max

    static func path(gitDirectory: String) -> String { gitDirectory + "/ops/" + name }

    /// The columns stored for `tree`, nil when the file holds another tree or does not read.
    static func read(gitDirectory: String, tree: String) -> IncidentColumns? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path(gitDirectory: gitDirectory)), options: .alwaysMapped) else { return nil }
        return data.withUnsafeBytes { raw in
            // The header first: a file for another tree (after every commit) is passed over unread.
            guard raw.starts(with: (header + tree + "\n").utf8), let sealed = LineChecksum.unsealed(raw) else { return nil }
            var reader = Reader(sealed)
            guard reader.expect(Array((header + tree + "\n").utf8)) else { return nil }
            return decode(&reader)
        }
    }

    /// Writes `columns` as the ones of `tree` (`AtomicFile`); a file that cannot be written is only slower next time.
    static func write(_ columns: IncidentColumns, tree: String, gitDirectory: String) {
        var strings: [String] = []
        var numbers: [String: UInt32] = [:]
        func number(_ text: String?) -> UInt32 {
            guard let text else { return none }
            if let known = numbers[text] { return known }
            let next = UInt32(strings.count)
            numbers[text] = next
            strings.append(text)
            return next
        }
        let ids = columns.ids.map(number), titles = columns.titles.map(number), severities = columns.severities.map(number)
        let optional = [columns.services, columns.useCases, columns.commanders, columns.sources].map { $0.map(number) }
        var tagStarts: [UInt32] = [0], tagList: [UInt32] = []
        for tags in columns.tags {
            tagList += tags.map(number)
            tagStarts.append(UInt32(tagList.count))
        }

        var out = Data((header + tree + "\n").utf8)
        func put(_ values: [UInt32]) { for value in values { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } } }
        put([UInt32(columns.count), UInt32(strings.count)])
        let bytes = strings.map { Array($0.utf8) }
        put(bytes.map { UInt32($0.count) })
        for text in bytes { out.append(contentsOf: text) }
        put(ids)
        put(titles)
        put(severities)
        out.append(contentsOf: columns.statuses.map { UInt8($0.order) })
        for column in optional { put(column) }
        put(tagStarts)
        put(tagList)
        for point in columns.clock {
            for value in point { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        out.append(contentsOf: out.withUnsafeBytes(LineChecksum.seal).utf8)
        AtomicFile.write(out, to: path(gitDirectory: gitDirectory))
    }

    /// Reads what `write` wrote after the header; nil at the first thing out of place.
    private static func decode(_ reader: inout Reader) -> IncidentColumns? {
        guard let rows = reader.count(), let stringCount = reader.count(), let lengths = reader.numbers(stringCount) else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(stringCount)
        for length in lengths {
            guard let text = reader.text(Int(length)) else { return nil }
            strings.append(text)
        }
        func text(_ number: UInt32) -> String? { Int(number) < strings.count ? strings[Int(number)] : nil }
        guard let ids = reader.numbers(rows), let titles = reader.numbers(rows), let severities = reader.numbers(rows),
            let statuses = reader.bytes(rows), let services = reader.numbers(rows), let useCases = reader.numbers(rows),
            let commanders = reader.numbers(rows), let sources = reader.numbers(rows), let tagStarts = reader.numbers(rows + 1),
            let tagList = reader.numbers(Int(tagStarts.last ?? 0))
        else { return nil }
        var clock: [[Double]] = []
        for _ in ClockPoint.allCases {
            guard let column = reader.doubles(rows) else { return nil }
            clock.append(column)
        }
        guard reader.atEnd else { return nil }

        var columns = IncidentColumns()
        columns.reserveCapacity(rows)
        func optional(_ number: UInt32) -> String?? { number == none ? .some(nil) : text(number).map { .some($0) } }
        for row in 0..<rows {
            let start = Int(tagStarts[row]), end = Int(tagStarts[row + 1])
            guard let id = text(ids[row]), let title = text(titles[row]), let severity = text(severities[row]),
                Int(statuses[row]) < IncidentStatus.allCases.count, let service = optional(services[row]),
                let useCase = optional(useCases[row]), let commander = optional(commanders[row]), let source = optional(sources[row]),
                start <= end, end <= tagList.count
            else { return nil }
            var tags: [String] = []
            for number in tagList[start..<end] {
                guard let tag = text(number) else { return nil }
                tags.append(tag)
            }
            columns.append(
                id: id, title: title, severity: severity, status: IncidentStatus.allCases[Int(statuses[row])], service: service,
                useCase: useCase, commander: commander, tags: tags, source: source, clock: clock.map { $0[row] })
        }
        return columns
    }

    /// Reads little-endian numbers and UTF-8 texts from a buffer, never past its end.
    private struct Reader {
        let buffer: UnsafeRawBufferPointer
        var offset = 0

        init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

        var atEnd: Bool { offset == buffer.count }

        private mutating func take(_ size: Int) -> UnsafeRawBufferPointer? {
            guard size >= 0, size <= buffer.count - offset else { return nil }
            defer { offset += size }
            return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + size])
        }

        mutating func expect(_ bytes: [UInt8]) -> Bool { take(bytes.count).map { $0.elementsEqual(bytes) } ?? false }

        mutating func numbers(_ count: Int) -> [UInt32]? {
            guard count <= buffer.count / 4, let bytes = take(count * 4) else { return nil }
            return (0..<count).map { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }

        mutating func count() -> Int? { numbers(1).map { Int($0[0]) } }

        mutating func bytes(_ count: Int) -> [UInt8]? { take(count).map(Array.init) }

        mutating func doubles(_ count: Int) -> [Double]? {
            guard count <= buffer.count / 8, let bytes = take(count * 8) else { return nil }
            return (0..<count).map { Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }

        mutating func text(_ length: Int) -> String? { take(length).map { String(decoding: $0, as: UTF8.self) } }
    }
}
