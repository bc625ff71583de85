public import Foundation
internal import Yams

/// A signed approval of release exceptions during a full freeze (`ops release approve`): the file
/// `approvals/<use_case>/<id>.yaml`, and the signed commit that brought it. The file says what
/// is approved and until when; the commit's signature says who approved it. Who approved is
/// never read from the file: only a signature by a key in the policy's `allowed_signers` counts.
public struct ReleaseApproval: Sendable, Equatable {
    public static let folder = "approvals"
    /// An approval lasts at most this long: a freeze exception is for a change, not a season.
    public static let longest: TimeInterval = 7 * 86_400
    /// How long an approval lasts when `--until` is not given.
    public static let usual: TimeInterval = 86_400

    public var id: DocumentID
    public var useCase: String
    /// The exception criterion approved, as the policy writes it (`security_fix`).
    public var change: String
    public var approvedAt: Date
    public var until: Date
    public var reason: String?

    public var path: String { "\(Self.folder)/\(useCase)/\(id).yaml" }

    func text() throws -> String {
        var lines = [
            "# A signed approval of \(change) releases of \(useCase) during a full freeze (ops release approve).",
            "# The commit that added this file carries the approver's signature; ops release check and ops verify check it.",
        ]
        var fields: [(String, Node)] = [
            ("id", Node.text(id.description)), ("use_case", Node.text(useCase)), ("change", Node.text(change)),
            ("approved_at", Node.timestamp(approvedAt)), ("until", Node.timestamp(until)),
        ]
        if let reason { fields.append(("reason", Node.text(reason))) }
        for (key, value) in fields { lines += try YAMLText.emit(key: key, value: value) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads an approval file; bad fields are errors at their line.
    static func parse(_ text: String, path: String) throws -> ReleaseApproval {
        var fields = YAMLFieldReader(try YAMLText(text, path: path))
        fields.flagUnknownKeys(["id", "use_case", "change", "approved_at", "until", "reason"], what: "an approval")
        let id = fields.text(fields.yaml["id"], "id", required: true)
        let useCase = fields.text(fields.yaml["use_case"], "use_case", required: true)
        let change = fields.text(fields.yaml["change"], "change", required: true)
        let reason = fields.text(fields.yaml["reason"], "reason")
        func time(_ key: String) -> Date? {
            guard let text = fields.text(fields.yaml[key], key, required: true) else { return nil }
            guard let date = Timestamp.parse(text) else {
                fields.flag(key: key, "`\(key)` is not a time like 2026-12-07T09:00:00Z")
                return nil
            }
            return date
        }
        let approvedAt = time("approved_at"), until = time("until")
        let parsedID = id.flatMap { DocumentID($0, kind: "A") }
        if id != nil, parsedID == nil { fields.flag(key: "id", "`id` is not an approval id like A-20261206-7F3AK2QX") }
        if let problem = fields.problems.first { throw OpsError(.input, problem.message, at: problem.location) }
        return ReleaseApproval(id: parsedID!, useCase: useCase!, change: change!, approvedAt: approvedAt!, until: until!, reason: reason)
    }
}

/// An approval with what its signature proves, judged at a moment.
public struct CheckedApproval: Sendable, Equatable {
    public var approval: ReleaseApproval
    /// The commit that last changed the approval's file: the one whose signature counts.
    public var commit: String
    public var signature: SignatureCheck
    /// Why it does not let a release through at the moment asked; nil when it does.
    public var problem: String?

    /// The approver: the `allowed_signers` name of the key that signed, when the signature is good.
    public var approver: String? {
        if case .good(let principal, _) = signature { return principal }
        return nil
    }
}
