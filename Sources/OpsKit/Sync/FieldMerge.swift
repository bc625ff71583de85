import Foundation
import Yams

/// The value each front-matter field takes when both sides of a sync changed it, by the merge
/// rules of docs/DESIGN.md §8: maps key by key, sets by union, first clock points and later clock points
/// by the earliest time, severity by the higher level, status never behind its clock points,
/// the commander as the first acker unless someone assigned one, other fields by the later change.
/// Every rule is symmetric, so both clones reach the same values whichever of them merges.
struct FieldMerge {
    /// One side's view of the document: its front matter and its timeline entries.
    struct Side {
        var fields: YAMLText
        var timeline: [TimelineEntry]
    }

    /// What a field is set to after the merge.
    enum Outcome: Equatable {
        /// The value one side wrote, copied as that side wrote it.
        case ours, theirs
        /// A value neither side wrote as a whole (a union of sets, a map merged key by key).
        case value(Node)
        /// The field is removed.
        case removed
    }

    /// A value that did not survive the merge, for a `sync` note in the timeline.
    struct Loss: Equatable {
        var key: String
        var kept: String
        var lost: String
        var at: Date
    }

    let base: YAMLText?
    let ours: Side
    let theirs: Side
    let changeTime: DocumentMerge.ChangeFinder
    /// Position of a severity in ops.yaml, 0 the most severe; nil for a name it does not know.
    let severityRank: (String) -> Int?
    /// The status a document of this kind is made with (`open`, `Draft`), when it has one. For a
    /// document new on both sides, a side still at it only made the document: the other side's
    /// status is a change someone made, and stays without a note.
    var initialStatus: String?

    enum Rule {
        case map, set, earliestTime, severity, status, commander, laterChange
    }

    static func rule(for key: String) -> Rule {
        switch key {
        case "roles": return .map
        case "tags", "alerts", "authors": return .set
        case "created_at", "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at": return .earliestTime
        case "severity": return .severity
        case "status": return .status
        case "commander": return .commander
        default: return .laterChange
        }
    }

    /// Every field that differs between the sides, with the value it takes, and what was lost.
    func resolve() throws -> (outcomes: [String: Outcome], losses: [Loss]) {
        var keys = Set(ours.fields.keys).union(theirs.fields.keys)
        keys.formUnion(base?.keys ?? [])
        var outcomes: [String: Outcome] = [:]
        var losses: [Loss] = []
        // Clock points first: status and commander follow from them.
        let ordered = keys.sorted { (Self.rule(for: $0) == .earliestTime ? 0 : 1, $0) < (Self.rule(for: $1) == .earliestTime ? 0 : 1, $1) }
        for key in ordered {
            let baseValue = base?[key], ourValue = ours.fields[key], theirValue = theirs.fields[key]
            if Self.same(ourValue, theirValue) { continue }
            let ourChange = try change(key, ours: true, baseValue, ourValue)
            let theirChange = try change(key, ours: false, baseValue, theirValue)
            guard let ourChange else { outcomes[key] = theirValue == nil ? .removed : .theirs; continue }
            guard let theirChange else { continue }  // only we changed it: our value stays
            let (outcome, lost) = try decide(key, base: baseValue, ourValue, ourChange, theirValue, theirChange, decided: outcomes)
            outcomes[key] = outcome
            losses += lost
        }
        try settleClock(&outcomes, &losses)
        return (outcomes, losses)
    }

    /// When and by whom a side changed `key`, nil when it did not.
    private func change(_ key: String, ours side: Bool, _ baseValue: Node?, _ value: Node?) throws -> (time: Date, author: String)? {
        // A side changed a field when its value differs from the base, or when its history set
        // it (a change back to the base value is a change too, and may be the later one).
        try changeTime(key, side) ?? (Self.same(baseValue, value) ? nil : (.distantPast, ""))
    }

    typealias Change = (time: Date, author: String)

    private func decide(
        _ key: String, base: Node?, _ ourValue: Node?, _ ourChange: Change, _ theirValue: Node?, _ theirChange: Change,
        decided: [String: Outcome]
    ) throws -> (Outcome, [Loss]) {
        let ourText = Self.describe(key, ourValue), theirText = Self.describe(key, theirValue)
        func keep(ours keepOurs: Bool) -> (Outcome, [Loss]) {
            Self.keep(ours: keepOurs, key, ourValue, ourChange, theirValue, theirChange)
        }
        // The later change wins; equal times are settled by the values, so both clones agree.
        let oursLater = ourChange.time != theirChange.time ? ourChange.time > theirChange.time : (ourText ?? "") > (theirText ?? "")
        switch Self.rule(for: key) {
        case .status where base == nil && initialStatus != nil && (ourText == initialStatus) != (theirText == initialStatus):
            return (ourText == initialStatus ? (theirValue == nil ? .removed : .theirs) : .ours, [])
        case .laterChange, .status:
            // Status is settled again once the clock points are known (settleClock).
            return keep(ours: oursLater)
        case .severity:
            guard let ourText, let theirText else { return keep(ours: oursLater) }
            let ourRank = severityRank(ourText) ?? Int.max, theirRank = severityRank(theirText) ?? Int.max
            // A downgrade needs a person, not a merge: the more severe level stays.
            if ourRank != theirRank { return keep(ours: ourRank < theirRank) }
            return keep(ours: ourText < theirText)
        case .earliestTime:
            // The first ack is the ack: time to acknowledge must not grow by merging.
            guard let ourTime = ourText.flatMap(Timestamp.parse), let theirTime = theirText.flatMap(Timestamp.parse) else {
                return keep(ours: oursLater)
            }
            return keep(ours: ourTime < theirTime)
        case .commander:
            return keep(ours: try commanderIsOurs(base: base, ourText, ourChange, theirText, theirChange, decided: decided))
        case .set:
            return (.value(Self.union(base: base, ourValue, theirValue)), [])
        case .map:
            return try mergeMap(key, base: base, ourValue, ourChange, theirValue, theirChange, oursLater: oursLater)
        }
    }

    /// The first acker stays commander unless someone assigned one explicitly; between two
    /// explicit assignments the later one wins.
    private func commanderIsOurs(
        base: Node?, _ ourText: String?, _ ourChange: Change, _ theirText: String?, _ theirChange: Change,
        decided: [String: Outcome]
    ) throws -> Bool {
        let ourImplicit = tookCommandByAcking(ours, ourText, base: base), theirImplicit = tookCommandByAcking(theirs, theirText, base: base)
        if ourImplicit && theirImplicit {
            switch decided["acknowledged_at"] {
            case .theirs?: return false
            case .ours?: return true
            default: break
            }
        } else if ourImplicit != theirImplicit {
            return theirImplicit
        }
        return ourChange.time != theirChange.time ? ourChange.time > theirChange.time : (ourText ?? "") > (theirText ?? "")
    }

    /// True when a side's commander is the person whose ack made them commander (an alert
    /// opened the incident without one), not someone a person assigned.
    private func tookCommandByAcking(_ side: Side, _ commander: String?, base: Node?) -> Bool {
        guard base?.scalarText == nil, let commander, let acked = side.fields["acknowledged_at"]?.scalarText.flatMap(Timestamp.parse) else {
            return false
        }
        let assignments = side.timeline.filter { $0.kind == "assigned" && $0.text.hasPrefix("commander:") }
        return assignments.count == 1 && assignments[0].actor == commander && assignments[0].at == acked
            && side.timeline.contains { $0.kind == "acknowledged" && $0.actor == commander && $0.at == acked }
    }

    /// Two people assign two roles: each key merges on its own; a key both changed keeps the later change.
    private func mergeMap(
        _ key: String, base: Node?, _ ourValue: Node?, _ ourChange: Change, _ theirValue: Node?, _ theirChange: Change,
        oursLater: Bool
    ) throws -> (Outcome, [Loss]) {
        guard let ourMap = Self.pairs(ourValue), let theirMap = Self.pairs(theirValue), let baseMap = Self.pairs(base) ?? (base == nil ? [] : nil) else {
            return Self.keep(ours: oursLater, key, ourValue, ourChange, theirValue, theirChange)
        }
        func value(_ pairs: [(String, String)], _ name: String) -> String? { pairs.first { $0.0 == name }?.1 }
        var names = baseMap.map(\.0)
        for name in (ourMap.map(\.0) + theirMap.map(\.0)).sorted() where !names.contains(name) { names.append(name) }
        var result: [(String, String)] = []
        var losses: [Loss] = []
        for name in names {
            let was = value(baseMap, name), mine = value(ourMap, name), yours = value(theirMap, name)
            var chosen: String?
            if mine == yours || yours == was {
                chosen = mine
            } else if mine == was {
                chosen = yours
            } else {
                chosen = oursLater ? mine : yours
                let (kept, lost) = oursLater ? ((mine, ourChange), (yours, theirChange)) : ((yours, theirChange), (mine, ourChange))
                losses.append(
                    Loss(
                        key: "\(key).\(name)", kept: Self.label(kept.0, kept.1), lost: Self.label(lost.0, lost.1),
                        at: max(ourChange.time, theirChange.time)))
            }
            if let chosen { result.append((name, chosen)) }
        }
        if result.isEmpty { return (.removed, losses) }
        return (.value(.pairs(result)), losses)
    }

    /// One side's value as a whole, and the other's as the loss.
    private static func keep(
        ours keepOurs: Bool, _ key: String, _ ourValue: Node?, _ ourChange: Change, _ theirValue: Node?,
        _ theirChange: Change
    ) -> (Outcome, [Loss]) {
        let ourText = describe(key, ourValue), theirText = describe(key, theirValue)
        let (kept, lost) = keepOurs ? ((ourText, ourChange), (theirText, theirChange)) : ((theirText, theirChange), (ourText, ourChange))
        let outcome: Outcome = keepOurs ? (ourValue == nil ? .removed : .ours) : (theirValue == nil ? .removed : .theirs)
        return (outcome, [Loss(key: key, kept: label(kept.0, kept.1), lost: label(lost.0, lost.1), at: max(ourChange.time, theirChange.time))])
    }

    // MARK: Clock points and status

    static let superseded = "superseded"

    /// After the field rules: a clock point later than the next one is clamped to it (mitigation
    /// cannot follow resolution), unless a side already had them in that order; status is then
    /// never behind its clock points.
    private func settleClock(_ outcomes: inout [String: Outcome], _ losses: inout [Loss]) throws {
        func value(_ key: String) -> Node? {
            switch outcomes[key] {
            case .ours?: return ours.fields[key]
            case .theirs?: return theirs.fields[key]
            case .value(let node)?: return node
            case .removed?: return nil
            case nil: return ours.fields[key]
            }
        }
        func time(_ key: String, in fields: YAMLText) -> Date? { fields[key]?.scalarText.flatMap(Timestamp.parse) }
        let points = ClockPoint.allCases.map(\.key)
        var times = points.map { value($0)?.scalarText.flatMap(Timestamp.parse) }
        let noteTime = (ours.timeline + theirs.timeline).map(\.at).max() ?? .distantPast
        for index in points.indices.reversed() {
            guard let current = times[index], let next = times[(index + 1)...].compactMap({ $0 }).first, current > next else { continue }
            let nextKey = points[(index + 1)...].first { times[points.firstIndex(of: $0)!] != nil }!
            let sideHadIt = [ours.fields, theirs.fields].contains { fields in
                guard let a = time(points[index], in: fields), let b = time(nextKey, in: fields) else { return false }
                return a > b
            }
            if sideHadIt { continue }
            times[index] = next
            outcomes[points[index]] = .value(Node.timestamp(next))
            losses.append(
                Loss(
                    key: points[index], kept: "\(Timestamp.format(next)) (clamped to \(nextKey))",
                    lost: Timestamp.format(current), at: noteTime))
        }
        // A decision that another replaced stays superseded, whatever status the other side set
        // meanwhile: `superseded_by` and the decision that replaced it say so.
        if let replacement = value("superseded_by")?.scalarText, !replacement.isEmpty,
            let statusText = value("status")?.scalarText, statusText != Self.superseded
        {
            let ourStatus = ours.fields["status"]?.scalarText, theirStatus = theirs.fields["status"]?.scalarText
            outcomes["status"] = ourStatus == Self.superseded ? .ours : theirStatus == Self.superseded ? .theirs : .value(Node(Self.superseded))
            losses.removeAll { $0.key == "status" }
            losses.append(Loss(key: "status", kept: "\(Self.superseded) (by \(replacement))", lost: statusText, at: noteTime))
            return
        }
        // Status: the furthest status whose clock point is set, when the merged one is behind it.
        guard let statusText = value("status")?.scalarText, let status = IncidentStatus(rawValue: statusText) else { return }
        guard let latest = IncidentStatus.allCases.last(where: { times[points.firstIndex(of: $0.clockPoint.key)!] != nil }),
            status < latest
        else { return }
        let ourStatus = ours.fields["status"]?.scalarText, theirStatus = theirs.fields["status"]?.scalarText
        outcomes["status"] = ourStatus == latest.rawValue ? .ours : theirStatus == latest.rawValue ? .theirs : .value(Node(latest.rawValue))
        losses.removeAll { $0.key == "status" }
        losses.append(Loss(key: "status", kept: latest.rawValue, lost: status.rawValue, at: noteTime))
    }

    // MARK: Values

    static func same(_ a: Node?, _ b: Node?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return YAMLText.sameValue(x, y)
        default: return false
        }
    }

    /// A value as one line of YAML (`SEV2`, `[a, b]`), nil when absent.
    static func describe(_ key: String, _ value: Node?) -> String? {
        guard let value else { return nil }
        if let text = value.scalarText { return text }
        let line = (try? YAMLText.emit(key: key, value: value))?.joined(separator: " ") ?? ""
        return String(line.dropFirst(key.count + 1)).trimmingCharacters(in: .whitespaces)
    }

    private static func label(_ value: String?, _ change: Change) -> String {
        let who = change.author.isEmpty ? "" : "\(change.author), "
        return change.time == .distantPast ? (value ?? "(removed)") : "\(value ?? "(removed)") (\(who)\(Timestamp.format(change.time)))"
    }

    /// Both sides' additions, less what either side removed: base order first, new values sorted.
    static func union(base: Node?, _ ours: Node?, _ theirs: Node?) -> Node {
        func items(_ node: Node?) -> [String] { node?.sequence?.compactMap(\.scalarText) ?? node?.scalarText.map { [$0] } ?? [] }
        let was = items(base), mine = items(ours), yours = items(theirs)
        let removed = Set(was.filter { !mine.contains($0) || !yours.contains($0) })
        var result = was.filter { !removed.contains($0) }
        for item in Set(mine + yours).subtracting(removed).subtracting(result).sorted() { result.append(item) }
        return Node.list(result)
    }

    /// A flat mapping of text values, nil when the node is something else.
    static func pairs(_ node: Node?) -> [(String, String)]? {
        guard let mapping = node?.mapping else { return nil }
        var result: [(String, String)] = []
        for (key, value) in mapping {
            guard let name = key.scalarText, let text = value.scalarText else { return nil }
            result.append((name, text))
        }
        return result
    }
}
