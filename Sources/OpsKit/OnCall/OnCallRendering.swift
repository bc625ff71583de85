public import Foundation

/// What `ops oncall` prints: tables for people, JSON for scripts, iCalendar for calendar apps.
public enum OnCallRendering {
    /// The outputs of `ops oncall schedule`.
    public enum Format: String, Sendable, CaseIterable {
        case table, json, ics
    }

    // MARK: who

    /// One row per rotation and layer; times in the rotation's zone, named on the row.
    public static func who(_ answers: [OnCallService.Answer], format: OutputFormat) throws -> String {
        if format == .json { return try JSONOutput.render(answers.map(WhoRow.init)) + "\n" }
        let rows = answers.map { answer -> [String] in
            let zone = answer.rotation.zone
            guard let slot = answer.slot else {
                let why =
                    answer.layer == .primary
                    ? "nobody: starts \(day(answer.rotation.handoff(0), zone: zone))"
                    : "nobody: \(answer.rotation.secondary ?? "") has no one then"
                return [answer.rotation.name, answer.layer.rawValue, "–", "", "", zone.identifier, why]
            }
            var notes: [String] = []
            if slot.isOverride { notes.append("override") }
            if slot.rotation != answer.rotation.name { notes.append("from \(slot.rotation)") }
            return [
                answer.rotation.name, answer.layer.rawValue, slot.person, day(slot.start, zone: zone), day(slot.end, zone: zone), zone.identifier,
                notes.joined(separator: ", "),
            ]
        }
        let headers = ["ROTATION", "LAYER", "PERSON", "SINCE", "UNTIL", "ZONE", "NOTE"]
        if format == .csv { return CSV.render(headers: headers.map { $0.lowercased() }, rows: rows) }
        return TextTable(headers: headers, rows: rows).text
    }

    private struct WhoRow: Encodable {
        var rotation: String
        var layer: String
        @NullWhenNil var person: String?
        @NullWhenNil var since: Date?
        @NullWhenNil var until: Date?
        var override: Bool
        /// The rotation the person holds (the secondary rotation for the secondary layer).
        @NullWhenNil var heldIn: String?
        var zone: String

        init(_ answer: OnCallService.Answer) {
            rotation = answer.rotation.name
            layer = answer.layer.rawValue
            person = answer.slot?.person
            since = answer.slot?.start
            until = answer.slot?.end
            override = answer.slot?.isOverride ?? false
            heldIn = answer.slot?.rotation
            zone = answer.rotation.zone.identifier
        }

        enum CodingKeys: String, CodingKey {
            case rotation, layer, person, since, until, override, zone
            case heldIn = "held_in"
        }
    }

    // MARK: schedule

    public static func schedule(_ listing: OnCallService.Listing, format: Format) throws -> String {
        switch format {
        case .table:
            let zones = Dictionary(listing.rotations.map { ($0.name, $0.zone) }, uniquingKeysWith: { first, _ in first })
            let rows = listing.slots.map { slot -> [String] in
                let zone = zones[slot.rotation] ?? TimeZone(identifier: "UTC")!
                return [slot.rotation, slot.person, day(slot.start, zone: zone), day(slot.end, zone: zone), zone.identifier, slot.isOverride ? "override" : ""]
            }
            return TextTable(headers: ["ROTATION", "PERSON", "FROM", "UNTIL", "ZONE", "NOTE"], rows: rows).text
        case .json:
            let zones = Dictionary(listing.rotations.map { ($0.name, $0.zone.identifier) }, uniquingKeysWith: { first, _ in first })
            let shifts = listing.slots.map { ShiftRow(slot: $0, zone: zones[$0.rotation] ?? "UTC") }
            return try JSONOutput.render(ScheduleJSON(from: listing.window.start, until: listing.window.end, shifts: shifts)) + "\n"
        case .ics:
            return OnCallCalendar.render(listing)
        }
    }

    private struct ScheduleJSON: Encodable {
        var from: Date
        var until: Date
        var shifts: [ShiftRow]
    }

    private struct ShiftRow: Encodable {
        var rotation: String
        var shift: Int
        var person: String
        var start: Date
        var end: Date
        var override: Bool
        var zone: String

        init(slot: OnCallSlot, zone: String) {
            rotation = slot.rotation
            shift = slot.shift
            person = slot.person
            start = slot.start
            end = slot.end
            override = slot.isOverride
            self.zone = zone
        }
    }

    /// `from 2026-11-20 18:00 until 2026-11-21 09:00 Europe/Berlin`.
    public static func span(_ override: Override, zone: TimeZone) -> String {
        "from \(LocalTime.format(override.from, zone: zone)) until \(LocalTime.format(override.until, zone: zone)) \(zone.identifier)"
    }

    /// `Mon 2026-11-16 09:00` in `zone`: the weekday first, since hand-offs are planned by it.
    static func day(_ date: Date, zone: TimeZone) -> String {
        let weekday = Calendar.gregorian(zone).component(.weekday, from: date)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        return names[weekday - 1] + " " + LocalTime.format(date, zone: zone)
    }
}
