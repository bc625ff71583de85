import Foundation

/// A second incident opened for the same trouble: same service, a near-identical title, within
/// the hour, while the first is still being worked. At 3 a.m. two people page in and both open
/// one; the second should join the first instead.
enum IncidentTwins {
    /// How close in time two openings must be to count as the same trouble.
    static let window: TimeInterval = 3600

    /// The most recently opened active incident that `new` duplicates, if any.
    static func openTwin(of new: Incident, among incidents: [Incident]) -> Incident? {
        guard let opened = new.clock[.opened] else { return nil }
        let title = words(new.title)
        return incidents.filter { other in
            guard other.id != new.id, !other.isSettled, let otherOpened = other.clock[.opened],
                abs(otherOpened.timeIntervalSince(opened)) <= window,
                (other.service ?? "").caseInsensitiveCompare(new.service ?? "") == .orderedSame
            else { return false }
            return nearlyIdentical(title, words(other.title))
        }.max { ($0.clock[.opened]!, $0.id) < ($1.clock[.opened]!, $1.id) }
    }

    /// The committed incidents that could be a twin of `new`: only those whose ID date (the UTC
    /// day they were opened) is within the window, read from their month folders, so opening stays
    /// fast with years of history. Best effort: what cannot be read is no twin, and never stops
    /// an incident from opening.
    static func candidates(near new: Incident, in workspace: Workspace) -> [Incident] {
        guard let opened = new.clock[.opened] else { return [] }
        let days = Set([-window, 0, window].map { Timestamp.format(opened.addingTimeInterval($0)).prefix(10).replacingOccurrences(of: "-", with: "") })
        let months = Set(days.map { "\(IncidentLocator.folder)/\($0.prefix(4))/\($0.dropFirst(4).prefix(2))" })
        return months.sorted().flatMap { folder -> [Incident] in
            let files = (try? workspace.committedFiles(under: folder)) ?? []
            return IncidentLocator.refs(in: files).filter { ref in days.contains { ref.id.hasPrefix("INC-\($0)-") } }.compactMap { ref in
                (try? workspace.committedText(ref.path)).flatMap { $0 }.flatMap { try? Incident(summaryOf: $0, path: ref.path) }
            }
        }
    }

    /// Lower case, punctuation and spacing ignored: `Checkout p99 > 1.2s` and `checkout p99 >1.2s!` read alike.
    static func words(_ title: String) -> String {
        title.lowercased().unicodeScalars.split { !CharacterSet.alphanumerics.contains($0) }
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// Equal, or within a few typed characters of each other (an edit distance of at most a
    /// tenth of the longer title, at least 2) with the same numbers: `fraud scores stale` and
    /// `fraud score stale` match; `checkout latency` and `checkout errors` do not, nor do
    /// `node 3 down` and `node 4 down` or `p99 above 1.2s` and `p99 above 1.5s`, since numbers
    /// name which node or threshold.
    static func nearlyIdentical(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard a.filter(\.isNumber) == b.filter(\.isNumber) else { return false }
        let x = Array(a.prefix(200)), y = Array(b.prefix(200))
        let allowed = max(2, max(x.count, y.count) / 10)
        guard abs(x.count - y.count) <= allowed, !x.isEmpty, !y.isEmpty else { return false }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count] <= allowed
    }
}
