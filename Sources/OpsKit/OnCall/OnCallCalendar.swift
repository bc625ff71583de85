import Foundation

/// The shifts of `ops oncall schedule --format ics` as iCalendar (RFC 5545), for calendar apps
/// to import or subscribe to. Written by hand: it is a few properties, and the rules that
/// matter (CRLF, 75-octet folding, TEXT escaping) are each a few lines below.
enum OnCallCalendar {
    static func render(_ listing: OnCallService.Listing) -> String {
        let zones = Dictionary(listing.rotations.map { ($0.name, $0.zone) }, uniquingKeysWith: { first, _ in first })
        let domain = domain(listing.team)
        var lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//ops//oncall schedule//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + text("On call: " + listing.team),
        ]
        for slot in listing.slots {
            let zone = zones[slot.rotation]?.identifier ?? "UTC"
            let summary = "On call: \(slot.rotation) — \(slot.person)" + (slot.isOverride ? " (override)" : "")
            let description =
                "Shift \(slot.shift) of rotation \(slot.rotation), hand-offs in \(zone)."
                + (slot.isOverride ? " An override in oncall.yaml puts \(slot.person) here." : "")
            lines += [
                "BEGIN:VEVENT",
                "UID:" + uid(slot, domain: domain),
                "DTSTAMP:" + utc(listing.made),
                "DTSTART:" + utc(slot.start),
                "DTEND:" + utc(slot.end),
                "SUMMARY:" + text(summary),
                "DESCRIPTION:" + text(description),
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The same piece of the same shift has the same UID on every run and in every clone, so a
    /// calendar updates an event instead of adding a copy: the rotation, the piece's start, and
    /// `override` for a piece an override holds; the team names the domain.
    static func uid(_ slot: OnCallSlot, domain: String) -> String {
        "\(slot.rotation)-\(slot.isOverride ? "override-" : "")\(utc(slot.start))@\(domain)"
    }

    /// `ml-platform.oncall.ops` for the team "ML Platform".
    static func domain(_ team: String) -> String {
        let words = team.lowercased().unicodeScalars.split { !(("a"..."z").contains($0) || ("0"..."9").contains($0)) }
        let name = words.map { String(String.UnicodeScalarView($0)) }.joined(separator: "-")
        return (name.isEmpty ? "team" : name) + ".oncall.ops"
    }

    /// `20261102T080000Z`: a DATE-TIME in UTC (RFC 5545 §3.3.5, form #2).
    static func utc(_ date: Date) -> String {
        Timestamp.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped.
    static func text(_ value: String) -> String {
        BackslashEscapes.replacing(value, ["\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""])
    }

    /// A content line folded at 75 octets (RFC 5545 §3.1): each continuation starts with one
    /// space, which counts toward its 75, and a UTF-8 sequence is never split.
    static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        // By scalars: a scalar is at most 4 octets, and unfolding rejoins a split character.
        for scalar in line.unicodeScalars {
            let size = UTF8.width(scalar)
            if octets + size > 75 {
                parts.append(current)
                current = " "
                octets = 1
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n")
    }
}
