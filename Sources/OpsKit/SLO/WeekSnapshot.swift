import Foundation

/// What the event and signal week files have in common: a header, the imports that wrote the
/// file, then one list (steps or readings) in which a later import replaces what it covers
/// again. The two files differ only in their header, their items and when one replaces another.
protocol WeekSnapshot {
    associatedtype Item: Equatable
    /// The list, and the key it is written under.
    static var items: WritableKeyPath<Self, [Item]> { get }
    static var itemsKey: String { get }
    /// The time that files an item under a week: the week it starts in.
    static var filedAt: KeyPath<Item, Date> { get }
    var path: String { get }
    var sources: [SnapshotSource] { get set }
    /// The comment and keys written before `sources`.
    var headerLines: [String] { get }
    /// True when `new` takes the place of `old` in the file.
    static func replaces(_ new: Item, _ old: Item) -> Bool
    /// The order the list is kept in.
    static func isOrdered(_ a: Item, before b: Item) -> Bool
    /// The item's line in the list.
    static func line(_ item: Item) -> String
    static func read(from reader: inout YAMLFieldReader) -> Self?
}

extension WeekSnapshot {
    /// Adds `new`, replacing the items they take the place of: the latest import wins. Returns
    /// how many earlier items were replaced.
    @discardableResult
    mutating func merge(_ new: [Item], from source: SnapshotSource) -> Int {
        let old = self[keyPath: Self.items]
        let kept = old.filter { old in !new.contains { Self.replaces($0, old) } }
        self[keyPath: Self.items] = (kept + new).sorted(by: Self.isOrdered)
        sources.removeAll { $0.inputKey == source.inputKey }
        sources.append(source)
        return old.count - kept.count
    }

    var weekFileText: String {
        var lines = headerLines
        lines += SnapshotText.sources(sources)
        lines.append("\(Self.itemsKey):")
        lines += self[keyPath: Self.items].map(Self.line)
        return lines.joined(separator: "\n") + "\n"
    }

    static func parseWeekFile(_ text: String, path: String) throws -> Self {
        var reader = YAMLFieldReader(try YAMLText(text, path: path))
        let snapshot = read(from: &reader)
        if let first = reader.problems.first { throw OpsError(.input, first.message, at: first.location) }
        return snapshot!
    }

    /// One week file as two clones wrote it (`ops sync`): every item of both, the side that
    /// imported last winning where both cover the same thing, and every source of both. Nil
    /// when a side does not read (a hand edit gone wrong): Git's line merge is tried then.
    static func merged(ours: String, theirs: String, path: String) -> String? {
        guard let ours = try? parseWeekFile(ours, path: path), let theirs = try? parseWeekFile(theirs, path: path) else { return nil }
        // Two imports in the same second: the file that sorts last is the newer, on every clone.
        func latest(_ file: Self) -> (Date, String) { (file.sources.map(\.importedAt).max() ?? .distantPast, file.weekFileText) }
        let (older, newer) = latest(ours) <= latest(theirs) ? (ours, theirs) : (theirs, ours)
        var file = older
        let newItems = newer[keyPath: Self.items]
        let kept = older[keyPath: Self.items].filter { old in !newItems.contains { Self.replaces($0, old) } }
        file[keyPath: Self.items] = (kept + newItems).sorted(by: Self.isOrdered)
        let sources = older.sources.filter { old in !newer.sources.contains { $0.inputKey == old.inputKey } } + newer.sources
        file.sources = sources.sorted { ($0.importedAt, $0.inputKey) < ($1.importedAt, $1.inputKey) }
        return file.weekFileText
    }

    /// The file's new text with `new` merged in, nil when this source's figures are already
    /// there. `data` is the file as it is; nil for a new one, which starts as this (empty) snapshot.
    func mergedText(_ new: [Item], from source: SnapshotSource, into data: Data?) throws -> String? {
        var file = try data.map { try Self.parseWeekFile(UTF8Text.decode($0, path: path), path: path) } ?? self
        let before = file
        file.merge(new, from: source)
        let known = before.sources.contains { $0.inputKey == source.inputKey }
        return file[keyPath: Self.items] == before[keyPath: Self.items] && known ? nil : file.weekFileText
    }
}
