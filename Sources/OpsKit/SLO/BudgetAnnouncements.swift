import Foundation
import Yams

/// What an import makes due: the messages it sends and the record files that say they were sent.
struct ImportAnnouncements {
    /// Record files to write in the import's commit, path → text.
    var files: [String: String] = [:]
    var announcements: [Announcement] = []
}

/// The budget thresholds an import shows crossed for the first time in their window (issue 18,
/// "What is sent"): each threshold whose actions name `notify:<channel>` is announced to every
/// such channel, and a line in `slo/announced/budget/<use_case>/<sli>.yaml` records it, in the
/// import's own commit. The figures are those of the moment the import was committed; a later
/// import, status or release check in the same window finds the line and announces nothing.
///
/// A window is the policy's: the calendar month (`2026-11`) or ISO week (`2026-W47`) in the
/// team's zone; for a rolling window (`rolling_30d`), the N days from the day the crossing was
/// first announced (`rolling_30d from 2026-11-23`), since a rolling window has no calendar name:
/// once N days have passed, every event it counts is new, and a threshold still crossed is news.
enum BudgetAnnouncements {
    /// The channels a threshold's actions say to notify: `notify:#sre` → `#sre`, in the policy's order.
    static func channels(of alert: ErrorBudgetPolicy.BurnAlert) -> [String] {
        var channels: [String] = []
        for action in alert.actions {
            let trimmed = action.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("notify:") else { continue }
            let channel = trimmed.dropFirst("notify:".count).trimmingCharacters(in: .whitespaces)
            if !channel.isEmpty && !channels.contains(channel) { channels.append(channel) }
        }
        return channels
    }

    /// The messages and records due for `statuses`, judged at `now`; records read from `tree`.
    static func of(_ statuses: [ErrorBudgetStatus], at now: Date, zone: TimeZone, tree: CommittedTree) throws -> ImportAnnouncements {
        var result = ImportAnnouncements()
        for status in statuses {
            // The SLI the policy states the objective of: the message names the use case, not
            // the SLI, so the use case's other SLIs (judged by status and the gate) are not announced.
            guard let policy = status.policy, status.isPolicySLI, let consumed = status.consumed else { continue }
            let path = AnnouncedRecord.budgetPath(useCase: status.useCase, sli: status.sli)
            var record = try AnnouncedRecord(
                path: path, text: tree.text(path),
                header: """
                    # Error-budget thresholds of \(status.useCase) \(status.sli) that ops announced, one line each:
                    # `ops slo import` adds one when an import shows a threshold crossed for the first
                    # time in its window, and a threshold is announced once per window. Remove a line
                    # to have it announced again.
                    use_case: \(status.useCase)
                    sli: \(status.sli)
                    announced:

                    """)
            var added = false
            for alert in status.crossed {
                let channels = Self.channels(of: alert)
                guard !channels.isEmpty else { continue }
                let at = SLONumber.percentText(alert.at)
                let window: String
                switch policy.window {
                case .rolling(let days):
                    let since = now.addingTimeInterval(-Double(days) * 86_400)
                    let recent = record.matching(["at": at]).contains { entry in
                        entry["seen_at"].flatMap(Timestamp.parse).map { $0 > since } ?? false
                    }
                    guard !recent else { continue }
                    window = "\(policy.window) from \(PostmortemService.day(now, zone: zone))"
                case .calendarMonth, .isoWeek:
                    window = label(of: policy.window, at: now, zone: zone)
                    guard !record.contains(["at": at, "window": window]) else { continue }
                }
                try record.append([
                    ("at", Node(at)), ("window", Node.text(window)), ("seen_at", Node.timestamp(now)),
                    ("consumed", Node(SLONumber.percentText(rounded(Decimal(consumed) * 100) / 100))), ("channels", Node.list(channels)),
                ])
                added = true
                let facts = OpsNotification.BudgetFacts(
                    useCase: status.useCase, threshold: NSDecimalNumber(decimal: alert.at * 100).intValue,
                    consumed: SLONumber.double(rounded(Decimal(consumed) * 100)), window: window, actions: alert.actions)
                for channel in channels {
                    result.announcements.append(
                        Announcement(channel: channel, notification: OpsNotification(event: .budgetThresholdCrossed(facts), at: now)))
                }
            }
            if added { result.files[path] = record.text }
        }
        return result
    }

    /// `2026-11` for a calendar month, `2026-W47` for an ISO week: the window holding `date`.
    static func label(of window: SLOWindow, at date: Date, zone: TimeZone) -> String {
        let period = window.period(endingAt: date.addingTimeInterval(1), zone: zone)
        switch window {
        case .calendarMonth: return String(PostmortemService.day(period.start, zone: zone).prefix(7))
        case .isoWeek: return ISOWeek(containing: period.start, zone: zone).description
        case .rolling: return window.description
        }
    }

    /// A percent to one decimal, as the message shows it (52.34 → 52.3).
    private static func rounded(_ value: Decimal) -> Decimal {
        var input = value, result = Decimal()
        NSDecimalRound(&result, &input, 1, .plain)
        return result
    }
}
