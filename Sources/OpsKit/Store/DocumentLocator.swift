import Foundation
import GitStore

/// What a person typed for an incident, a decision or a backlog item, resolved to one of them the
/// same way for all three: the full id in any case, or the first 4+ characters of its random
/// part (after the date, when given: `INC-20261122-7f3a`), or, for documents named
/// `<ID>-<slug>.md`, the slug.
struct DocumentLocator {
    let folder: String
    let kind: String
    let noun: String
    /// The command that lists them: `ops <command> list`.
    let command: String
    /// Whether each document is a file `<folder>/<ID>-<slug>.md` whose slug may be typed instead
    /// of the id (decisions, backlog items); incidents are folders named by the id alone.
    let named: Bool

    static let incidents = DocumentLocator(folder: "incidents", kind: "INC", noun: "incident", command: "incident", named: false)
    static let decisions = DocumentLocator(folder: "decisions", kind: "D", noun: "decision", command: "decision", named: true)
    static let backlog = DocumentLocator(folder: "backlog", kind: "BL", noun: "backlog item", command: "backlog", named: true)

    /// The one among `refs` that `input` names; `titles` (when it knows them) makes an
    /// ambiguity easier to settle. Anything that could not be an id is refused before it is
    /// used to build a path.
    func resolve<Ref: LocatableDocument>(
        _ input: String, among refs: [Ref],
        titles: (Ref) -> String? = { _ in nil }
    ) throws -> Ref {
        let text = input.trimmingCharacters(in: .whitespaces)
        // A slug is up to 40 characters after a 20-character id; an id alone is 21 or less.
        guard !text.isEmpty, text.count <= (named ? 120 : 40),
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            throw OpsError.input("'\(input.prefix(60))' is not \(article) \(noun) ID. \(help)")
        }
        var matches: [Ref]
        if let id = DocumentID(text, kind: kind) {
            matches = refs.filter { $0.id == id.description }
        } else {
            matches = named ? refs.filter { $0.slug == text.lowercased() } : []
            if matches.isEmpty { matches = try byShortID(text, input: input, among: refs) }
        }
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            throw OpsError.input("no \(noun) matches '\(input)'. `ops \(command) list` shows them")
        default:
            let list = matches.sorted { $0.id < $1.id }.prefix(8).map { ref in titles(ref).map { "\(ref.id) (\($0))" } ?? ref.id }
            throw OpsError.input("'\(input)' matches \(matches.count) \(noun)s: \(list.joined(separator: ", ")). Type more characters")
        }
    }

    /// `7f3a` or `INC-20261122-7f3a`. Text that cannot be a short id is refused, except where it
    /// may have been meant as a slug: then it only matches nothing.
    private func byShortID<Ref: LocatableDocument>(_ text: String, input: String, among refs: [Ref]) throws -> [Ref] {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var date: String?
        var prefixText = text
        if parts.count == 3, parts[0].uppercased() == kind, parts[1].count == 8 {
            date = parts[1]
            prefixText = parts[2]
        } else if parts.count != 1 {
            if named { return [] }
            throw OpsError.input("'\(input)' is not \(article) \(noun) ID. \(help)")
        }
        guard let prefix = DocumentID.normalizeRandom(prefixText), date != nil || prefix.count >= 4 else {
            if named { return [] }
            throw OpsError.input("'\(input)' is too short or not \(article) \(noun) ID. \(help)")
        }
        return refs.filter { ref in
            let id = DocumentID(ref.id, kind: kind)!
            return id.random.hasPrefix(prefix) && (date == nil || id.date == date)
        }
    }

    private var article: String { "aeiou".contains(noun.prefix(1)) ? "an" : "a" }

    private var help: String {
        named
            ? "IDs look like \(kind)-20261122-K2QXM4TB; the first 4+ characters of the last part, or the name after it, work too"
            : "\(noun.capitalizedFirst) IDs look like \(kind)-20261122-7F3AK2QX; the first 4 or more characters of the last part (7f3a) work too"
    }
}

/// A document as `DocumentLocator` matches it.
protocol LocatableDocument {
    var id: String { get }
    /// The name after the id in a `<ID>-<slug>.md` file; empty when there is none.
    var slug: String { get }
}

/// Documents named `<ID>-<slug>.md` in one folder (decisions, backlog items): the id makes them
/// unique across clones, the slug makes them readable.
extension DocumentLocator {
    struct Ref: Equatable, LocatableDocument {
        var id: String
        var slug: String
        var path: String
    }

    func refs(in files: [TreeFile]) -> [Ref] {
        files.compactMap { file in
            let name = (file.path as NSString).lastPathComponent
            guard (file.path as NSString).deletingLastPathComponent == folder, name.hasSuffix(".md") else { return nil }
            let stem = String(name.dropLast(3))
            let parts = stem.split(separator: "-", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let id = DocumentID(parts.prefix(3).joined(separator: "-"), kind: kind) else { return nil }
            return Ref(id: id.description, slug: parts.count > 3 ? String(parts[3]) : "", path: file.path)
        }
    }

    /// The committed document `input` names.
    func locate(_ input: String, in workspace: Workspace) throws -> Ref {
        try resolve(input, among: refs(in: try workspace.committedFiles(under: folder)))
    }

    /// `freeze-non-critical-releases`: lower-case ASCII words of the title, at most 40 characters.
    static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        var slug = ""
        for word in words {
            let next = slug.isEmpty ? String(word) : slug + "-" + word
            if next.count > 40 { break }
            slug = next
        }
        return slug.isEmpty ? "untitled" : slug
    }
}
