import Foundation
import GitStore

/// Documents named `<ID>-<slug>.md` in one folder (decisions, backlog items): the id makes them
/// unique across clones, the slug makes them readable. A person may type the full id, the first
/// 4+ characters of its random part, or the slug.
struct NamedDocumentLocator {
    let folder: String
    let kind: String
    let noun: String

    struct Ref: Equatable {
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

    func resolve(_ input: String, among refs: [Ref]) throws -> Ref {
        let text = input.trimmingCharacters(in: .whitespaces)
        let example = "\(kind)-20261122-K2QXM4TB"
        guard !text.isEmpty, text.count <= 120, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw OpsError.input("'\(input.prefix(60))' is not a \(noun) ID. IDs look like \(example); the first 4+ characters of the last part, or the name after it, work too")
        }
        var matches: [Ref]
        if let id = DocumentID(text, kind: kind) {
            matches = refs.filter { $0.id == id.description }
        } else {
            matches = refs.filter { $0.slug == text.lowercased() }
            if matches.isEmpty, let prefix = DocumentID.normalizeRandom(text), prefix.count >= 4 {
                matches = refs.filter { DocumentID($0.id, kind: kind)!.random.hasPrefix(prefix) }
            }
        }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw OpsError.input("no \(noun) matches '\(input)'. `ops \(noun) list` shows them")
        default:
            throw OpsError.input("'\(input)' matches \(matches.count) \(noun)s: \(matches.map(\.id).sorted().joined(separator: ", ")). Type more characters")
        }
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
