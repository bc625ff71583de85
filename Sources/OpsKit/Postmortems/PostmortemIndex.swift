import Foundation
import GitStore

/// Every committed `postmortem.md`, found without walking all of `incidents/`: incidents live in
/// `incidents/YYYY/MM/<ID>/`, and a month folder whose tree id is unchanged holds the same
/// postmortems as last time. The lists are kept by month tree id in `.git/ops/postmortems.index`:
/// derived, keyed by Git ids, and rebuilt by walking any month it does not know. At 100k
/// incidents that turns a walk of 100k folders into a read of a few hundred month folders.
enum PostmortemIndex {
    static let header = "ops postmortem index 3"

    static func files(_ workspace: Workspace) throws -> [TreeFile] {
        let path = workspace.gitDirectory + "/ops/postmortems.index"
        let known = read(path)
        var seen: [String: [TreeFile]] = [:]
        var result: [TreeFile] = []
        for year in try workspace.committedEntries(in: IncidentLocator.folder).sorted(by: { $0.name < $1.name }) {
            let yearFolder = IncidentLocator.folder + "/" + year.name
            for month in try workspace.committedEntries(in: yearFolder).sorted(by: { $0.name < $1.name }) {
                let files =
                    try known[month.id.hex]
                    ?? workspace.committedFiles(under: yearFolder + "/" + month.name)
                    .filter { Postmortem.isFile($0.path) }
                seen[month.id.hex] = files
                result += files
            }
        }
        if Set(seen.keys) != Set(known.keys) { write(seen, to: path) }
        return result
    }

    /// Month tree id → its postmortems. A file that does not read, or whose checksum line does
    /// not hold for its lines (`LineChecksum`), is an empty index.
    private static func read(_ path: String) -> [String: [TreeFile]] {
        let start = Data((header + "\n").utf8)
        guard let data = FileManager.default.contents(atPath: path), data.starts(with: start),
            let body = LineChecksum.checked(data.dropFirst(start.count))
        else { return [:] }
        var result: [String: [TreeFile]] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            var files: [TreeFile] = []
            for pair in fields.dropFirst() {
                let parts = pair.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, let blob = ObjectID(hex: parts[0]) else { return [:] }
                files.append(TreeFile(path: BackslashEscapes.decode(parts[1]), blob: blob))
            }
            result[fields[0]] = files
        }
        return result
    }

    /// Whole or not at all (`AtomicFile`); an index that cannot be written only makes the next run slower.
    private static func write(_ months: [String: [TreeFile]], to path: String) {
        var body = ""
        for key in months.keys.sorted() {
            // Paths escaped: one holding a tab or a line break cannot pass for the next file or month.
            body += ([key] + months[key]!.map { "\($0.blob.hex) \(BackslashEscapes.encode($0.path))" }).joined(separator: "\t") + "\n"
        }
        AtomicFile.write(header + "\n" + body + LineChecksum.trailer(of: Data(body.utf8)), to: path)
    }
}
