public import Foundation
import GitStore

/// `ops oncall`: who is on call, the shifts of a window, and overrides, one commit each.
public struct OnCallService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// Who holds one layer of a rotation at an instant; `slot` is nil when nobody does.
    public struct Answer: Sendable, Equatable {
        public var rotation: Rotation
        public var layer: OnCallLayer
        public var slot: OnCallSlot?
    }

    /// The shifts of a window, overrides applied, with the rotations they belong to.
    public struct Listing: Sendable {
        public var team: String
        public var window: DateInterval
        public var rotations: [Rotation]
        public var slots: [OnCallSlot]
        /// When the listing was made (DTSTAMP in iCalendar).
        public var made: Date
    }

    /// `oncall.yaml` as it is in the work tree (configuration, read like ops.yaml), checked
    /// against ops.yaml's people.
    public func schedule() throws -> OnCallSchedule {
        guard let text = try workspace.readWorkTreeFile(OnCallSchedule.path) else {
            throw OpsError.input("there is no \(OnCallSchedule.path) yet. Write one (README: On call), or see the one `ops init --example` writes")
        }
        return try OnCallSchedule.load(text, config: workspace.config())
    }

    /// The primary, and the secondary where the rotation has one, of each rotation (or of
    /// `rotation` alone) at `at` (now when nil). Times without a zone are in ops.yaml's zone.
    public func who(_ rotation: String?, at: String?) throws -> [Answer] {
        let schedule = try schedule()
        let instant = try at.map { try time($0, option: "--at", zone: workspace.config().timeZone) } ?? workspace.clock()
        let rotations = try rotation.map { [try schedule.rotation($0)] } ?? schedule.rotations
        return rotations.flatMap { rotation in
            var answers = [Answer(rotation: rotation, layer: .primary, slot: schedule.onCall(rotation.name, at: instant))]
            if rotation.secondary != nil {
                answers.append(Answer(rotation: rotation, layer: .secondary, slot: schedule.onCall(rotation.name, at: instant, layer: .secondary)))
            }
            return answers
        }
    }

    /// The shifts of each rotation (or of `rotation`) that share an instant with `weeks` weeks
    /// from `from` (now when nil), overrides applied, rotation by rotation in the file's order.
    public func shifts(_ rotation: String?, from: String?, weeks: Int) throws -> Listing {
        guard (1...104).contains(weeks) else { throw OpsError.input("--weeks \(weeks) is out of range. Give 1 to 104") }
        let schedule = try schedule()
        let config = try workspace.config()
        let now = workspace.clock()
        let start = try from.map { try time($0, option: "--from", zone: config.timeZone) } ?? now
        let window = DateInterval(start: start, duration: Double(weeks) * 7 * 86_400)
        let rotations = try rotation.map { [try schedule.rotation($0)] } ?? schedule.rotations
        // Rotation by rotation, in the file's order, each in time order.
        let slots = rotations.flatMap { schedule.slots(of: $0, overlapping: window) }
        return Listing(team: config.team, window: window, rotations: rotations, slots: slots, made: now)
    }

    /// Adds an override to oncall.yaml in one commit: `person` holds `rotation` from `from` until
    /// `until` (times without a zone are in the rotation's). Refused, with nothing written, for an
    /// unknown person or rotation, an empty or reversed interval, or one that overlaps another
    /// override of the rotation.
    public func addOverride(_ rotation: String, person: String, from: String, until: String, author: Author) throws -> (Override, Rotation) {
        let config = try workspace.config()
        let handle = try config.personHandle(named: person)
        var result: (Override, Rotation)?
        try workspace.commit(
            action: "oncall.override",
            subject: result.map { "oncall \($0.1.name): \($0.0.person) takes over \(OnCallRendering.span($0.0, zone: $0.1.zone))" } ?? "oncall: override",
            author: author
        ) { snapshot in
            guard let data = try snapshot.read(OnCallSchedule.path) else {
                throw OpsError.input("there is no \(OnCallSchedule.path) committed yet. Commit one first (README: On call)")
            }
            let text = try UTF8Text.decode(data, path: OnCallSchedule.path)
            let schedule = try OnCallSchedule.load(text, config: config)
            let found = try schedule.rotation(rotation)
            let override = Override(
                rotation: found.name, person: handle, from: try time(from, option: "--from", zone: found.zone),
                until: try time(until, option: "--until", zone: found.zone))
            guard override.until > override.from else {
                throw OpsError.input(
                    "the override ends before it starts (\(OnCallRendering.span(override, zone: found.zone))). Give --from before --until")
            }
            if let other = schedule.overrides(of: found.name).first(where: { $0.overlaps(override) }) {
                throw OpsError.input(
                    "\(found.name) already has an override then: \(other.person) \(OnCallRendering.span(other, zone: found.zone)) (\(OnCallSchedule.path) line \(other.line.map(String.init) ?? "?")). Choose times that do not overlap, or edit that line"
                )
            }
            let changed = try OnCallSchedule.adding(override, zone: found.zone, to: text)
            // The file as written must read back with the new override in it, or nothing is written.
            let reread = try OnCallSchedule.load(changed, config: config)
            guard reread.overrides.count == schedule.overrides.count + 1 else {
                preconditionFailure("an override added to oncall.yaml did not read back")
            }
            result = (override, found)
            return [.write(OnCallSchedule.path, changed)]
        }
        return result!
    }

    /// A time typed for `option` on the command line: anything `--at` takes elsewhere (future
    /// times too), or a local `2026-11-20T18:00` in `zone`.
    private func time(_ text: String, option: String, zone: TimeZone) throws -> Date {
        do {
            return try TimeInput.parse(text, now: workspace.clock(), zone: zone, allowFuture: true)
        } catch {
            if let date = OnCallTime.parse(text, zone: zone) { return date }
            throw OpsError.input(
                "\(option) '\(text)' is not a time. Use 2026-11-20T18:00 (in \(zone.identifier)), 2026-11-20T17:00:00Z, 2026-11-20, 18:00 or -2h")
        }
    }
}
