import Foundation
import Yams

/// The signal breaches at `page` level an import of readings shows (issue 18, "What is sent"):
/// each breached check of level `page` is announced to the channel ops.yaml's `channels:` gives
/// its route (the channel `ops signals status` shows), once per metric, use case and ISO week,
/// and a line in `slo/announced/signals/<use_case>/<week>.yaml` records it in the import's
/// commit. Only the current and the previous week are announced: an older week imported is
/// history being filled in, not something to page anyone about.
enum SignalAnnouncements {
    /// The messages and records due for the weeks in `report` (one `SignalsReport` per week).
    static func of(_ reports: [SignalsReport], at now: Date, tree: CommittedTree) throws -> ImportAnnouncements {
        var result = ImportAnnouncements()
        let current = SnapshotLayout.week(of: now)
        let recent = [current, current.adding(weeks: -1, zone: SnapshotLayout.utc)]
        for report in reports where recent.contains(report.week) {
            for useCase in report.useCases {
                let path = AnnouncedRecord.signalsPath(useCase: useCase.useCase, week: report.week)
                var record = try AnnouncedRecord(
                    path: path, text: tree.text(path),
                    header: """
                        # Signal breaches at page level of \(useCase.useCase) in \(report.week) that ops announced,
                        # one line each: `ops slo import` adds one when an import shows a breach, and a
                        # metric is announced once per week. Remove a line to have it announced again.
                        use_case: \(useCase.useCase)
                        week: \(report.week)
                        announced:

                        """)
                var added = false
                // A check of checks.yaml pages by the incident `ops checks run` opens, not by a message.
                for check in useCase.checks where check.breached && check.level == "page" && check.subject == nil {
                    guard let channel = check.channel else { continue }
                    guard !record.contains(["metric": check.metric, "area": check.area.rawValue]) else { continue }
                    try record.append([
                        ("metric", Node.text(check.metric)), ("area", Node(check.area.rawValue)), ("value", Node(check.value.description)),
                        ("page_at", Node(check.breachText)), ("seen_at", Node.timestamp(now)), ("channel", Node.text(channel)),
                    ])
                    added = true
                    let facts = OpsNotification.SignalFacts(
                        signal: check.metric, area: check.area.rawValue, useCase: useCase.useCase, value: SLONumber.double(check.value),
                        threshold: SLONumber.double(check.breachWhen.value), period: report.week.description, runbook: nil)
                    result.announcements.append(
                        Announcement(channel: channel, notification: OpsNotification(event: .signalBreached(facts), at: now)))
                }
                if added { result.files[path] = record.text }
            }
        }
        return result
    }
}
