import OpsKit

extension OpsContext {
    /// One line on standard error per message a command's commit announced: `Told #sre.` when
    /// the channel answered within the wait, else why it waits and where to look.
    func report(_ announced: [AnnouncementResult]) {
        for result in announced {
            if result.sent {
                note("Told \(result.channel) (\(result.event)).")
            } else {
                note(
                    "Not sent to \(result.channel) yet (\(result.event)): \(result.problem ?? "it waits to be sent"). It waits in the outbox: ops notify status"
                )
            }
        }
    }
}
