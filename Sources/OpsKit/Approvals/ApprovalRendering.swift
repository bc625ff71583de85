public import Foundation

extension ApprovalService.Verification {
    /// The version of `ops verify --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// What does not verify, one commit a row, then a summary line (table); every finding (JSON, CSV).
    public func render(_ format: OutputFormat, zone: TimeZone) throws -> String {
        let rows = problems.map { ("fails", $0) } + unchecked.map { ("not checked", $0) }
        switch format {
        case .table:
            var text = ""
            if !rows.isEmpty {
                text =
                    TextTable(
                        headers: ["COMMIT", "DATE", "AUTHOR", "SUBJECT", "PROBLEM"],
                        rows: rows.map { _, finding in
                            [String(finding.commit.prefix(7)), LocalTime.format(finding.date, zone: zone), finding.author, finding.subject, finding.problem]
                        }
                    ).text + "\n"
            }
            let checked = signers.isEmpty ? "no allowed_signers file is committed" : "checked against \(signers.joined(separator: ", "))"
            let verdict = problems.isEmpty ? "everything verifies" : "\(problems.count) \(problems.count == 1 ? "does" : "do") not verify"
            return text
                + "\(range): \(commits) \(commits == 1 ? "commit" : "commits"), \(signed) signed, \(approvals) \(approvals == 1 ? "approval" : "approvals") (\(checked)): \(verdict).\n"
        case .json:
            return try JSONOutput.render(JSONVerification(self))
        case .csv:
            return CSV.render(
                headers: ["commit", "date", "author", "subject", "approval", "result", "problem"],
                rows: rows.map { result, finding in
                    [finding.commit, Timestamp.format(finding.date), finding.author, finding.subject, finding.approval ?? "", result, finding.problem]
                })
        }
    }
}

/// The JSON document of `ops verify --format json`.
private struct JSONVerification: Encodable {
    struct Finding: Encodable {
        var commit: String
        var date: Date
        var author: String
        var subject: String
        @NullWhenNil var approval: String?
        var problem: String
    }

    var schema_version = ApprovalService.Verification.schemaVersion
    var range: String
    var allowed_signers: [String]
    var commits: Int
    var signed: Int
    var approvals: Int
    var verified: Bool
    var problems: [Finding]
    var not_checked: [Finding]

    init(_ report: ApprovalService.Verification) {
        func finding(_ item: ApprovalService.Verification.Finding) -> Finding {
            Finding(commit: item.commit, date: item.date, author: item.author, subject: item.subject, approval: item.approval, problem: item.problem)
        }
        range = report.range
        allowed_signers = report.signers
        commits = report.commits
        signed = report.signed
        approvals = report.approvals
        verified = report.verified
        problems = report.problems.map(finding)
        not_checked = report.unchecked.map(finding)
    }
}
