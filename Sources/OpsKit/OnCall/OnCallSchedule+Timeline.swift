public import Foundation

/// Who holds a rotation for a stretch of time: a shift, or the part of one an override replaces
/// or leaves. Pieces never cross a hand-off.
public struct OnCallSlot: Sendable, Equatable {
    public var rotation: String
    public var person: String
    public var start: Date
    public var end: Date
    /// The shift the piece belongs to.
    public var shift: Int
    /// True when an override put `person` here.
    public var isOverride: Bool
}

/// The layers of a page: the rotation's own person, then its secondary rotation's.
public enum OnCallLayer: String, Sendable, CaseIterable {
    case primary, secondary
}

extension OnCallSchedule {
    /// Who is on call for `rotation` at `instant` at `layer`: the primary is the rotation's own
    /// person (override applied), the secondary that of the rotation named by its `secondary`.
    /// Nil when nobody is (before the start, or no secondary).
    public func onCall(_ rotation: String, at instant: Date, layer: OnCallLayer = .primary) -> OnCallSlot? {
        guard let found = self.rotation(named: rotation) else { return nil }
        switch layer {
        case .primary:
            return slots(of: found, overlapping: DateInterval(start: instant, duration: 1)).first { $0.start <= instant && instant < $0.end }
        case .secondary:
            guard let secondary = found.secondary, secondary != found.name else { return nil }
            return onCall(secondary, at: instant, layer: .primary)
        }
    }

    /// The pieces of `rotation`'s shifts that share an instant with `interval`, in order, each
    /// shift split where an override starts or ends.
    public func slots(of rotation: Rotation, overlapping interval: DateInterval) -> [OnCallSlot] {
        let replacing = overrides(of: rotation.name)
        var result: [OnCallSlot] = []
        for shift in rotation.shifts(overlapping: interval) {
            var cursor = shift.start
            func add(_ person: String, _ start: Date, _ end: Date, override: Bool) {
                guard start < end else { return }
                result.append(OnCallSlot(rotation: rotation.name, person: person, start: start, end: end, shift: shift.number, isOverride: override))
            }
            for override in replacing where override.until > shift.start && override.from < shift.end {
                add(shift.person, cursor, override.from, override: false)
                let start = max(override.from, cursor)
                let end = min(override.until, shift.end)
                add(override.person, start, end, override: true)
                cursor = max(cursor, end)
            }
            add(shift.person, cursor, shift.end, override: false)
        }
        return result.filter { $0.end > interval.start && $0.start < interval.end }
    }
}
