import Foundation

/// An incident as it stood at a past instant, for figures that must not change once their
/// moment has passed (the weekly pack, docs/DESIGN.md §7).
extension Incident {
    /// The incident at `instant`: its clock points before it, its status from those points, its
    /// timeline up to it; nil when it had not begun. A later `--at` correction is taken as the
    /// truth (see `corrections(recordedSince:)`); a later reopen is undone from the timeline,
    /// since reopening clears the points the incident had then.
    func asOf(_ instant: Date) -> Incident? {
        guard let begin = clock[.opened] ?? clock[.detected] ?? clock[.started], begin < instant else { return nil }
        var past = self
        past.clock = clock.filter { $0.value < instant }
        past.timeline = timeline.filter { $0.at < instant }
        if timeline.contains(where: { $0.kind == "reopened" && $0.at >= instant }) {
            for status in [IncidentStatus.mitigated, .resolved, .closed] where past.clock[status.clockPoint] == nil {
                // The last time it reached that status before the instant, unless reopened again before the instant.
                guard let reached = past.timeline.last(where: { $0.kind == status.rawValue }),
                    !past.timeline.contains(where: { $0.kind == "reopened" && $0.at > reached.at })
                else { continue }
                past.clock[status.clockPoint] = reached.at
            }
        }
        // Unchanged points keep the file's status (an imported incident may be resolved without a
        // resolved_at); otherwise the status is the furthest point reached by then.
        if past.clock != clock {
            past.status = IncidentStatus.allCases.last { past.clock[$0.clockPoint] != nil && $0 != .open } ?? .open
        }
        return past
    }

    /// A clock point corrected after the fact: `ops incident correct` (or a move with `--at` over a
    /// point already set) writes `corrected` with the old and the new time.
    struct Correction: Sendable, Equatable {
        var incident: String
        var point: String
        /// Nil when the point was unset.
        var before: Date?
        var after: Date
        var at: Date
        var by: String
    }

    /// Corrections recorded at or after `instant` that move a clock point from or to a time before
    /// it: the ones that change figures as of `instant`.
    func corrections(recordedSince instant: Date) -> [Correction] {
        timeline.compactMap { entry in
            guard entry.kind == "corrected", entry.at >= instant else { return nil }
            // `resolved_at 2026-11-20T10:00:00Z → 2026-11-20T09:30:00Z` (or `unset →`), as IncidentService writes it.
            let words = entry.text.split(separator: " ").map(String.init)
            guard words.count == 4, words[2] == "→", let after = Timestamp.parse(words[3]) else { return nil }
            let before = Timestamp.parse(words[1])
            guard after < instant || (before.map { $0 < instant } ?? false) else { return nil }
            return Correction(incident: id, point: words[0], before: before, after: after, at: entry.at, by: entry.actor)
        }
    }
}
