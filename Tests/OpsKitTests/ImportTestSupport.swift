import Foundation

@testable import OpsKit

/// The import samples (copies of the shared fixtures (fixtures/imports)) in Fixtures/imports/<tool>/.
enum ImportSamples {
    static var folder: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/imports") }

    static func file(_ tool: ImportTool, _ name: String) throws -> ImportFile {
        ImportFile(name: name, data: try Data(contentsOf: folder.appendingPathComponent("\(tool.rawValue)/\(name)")))
    }

    static func text(_ tool: ImportTool, _ name: String) throws -> String {
        String(decoding: try file(tool, name).data, as: UTF8.self)
    }

    /// A sample changed by hand for one test: `edit` gets the text and returns the new one.
    static func edited(_ tool: ImportTool, _ name: String, as newName: String? = nil, _ edit: (String) -> String) throws -> ImportFile {
        ImportFile(name: newName ?? name, data: Data(edit(try text(tool, name)).utf8))
    }

    /// Every sample file of `tool`, sorted by name.
    static func all(_ tool: ImportTool) throws -> [ImportFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(tool.rawValue).path).sorted()
        return try names.map { try file(tool, $0) }
    }

    static let pagerDuty = "faros_real_incidents_and_log_entries.jsonl"
    static let pagerDutyTrial = "faros_trial_incidents.json"
    static let pagerDutyTrialLog = "faros_trial_incidentLogEntries.json"
    static let fireHydrant = "faros_2022_incidents_with_events.jsonl"
    static let fireHydrantArray = "faros_source_test_incidents.json"
    static let dispatchDump = "dispatch-sample-data_excerpt.sql"
}

extension OpsFixture {
    /// Imports as alice; `reopen` reads ops.yaml afresh (a workspace reads it once), as the next command would.
    @discardableResult
    func importing(
        _ tool: ImportTool, _ files: [ImportFile], dryRun: Bool = false, clock: [String] = [],
        reopen: Bool = false
    ) throws -> IncidentImport.Summary {
        var options = IncidentImport.Options()
        options.dryRun = dryRun
        for spec in clock { try options.addClockName(spec) }
        let clock = self.clock
        let workspace =
            reopen
            ? try Workspace(root: folder.path, environment: [:], clock: { clock.now }, random: SeededGenerator(seed: 7))
            : self.workspace
        return try IncidentImport(workspace).run(tool, files: files, options: options, author: alice)
    }

    /// The committed incident imported from `source` (`pagerduty:Q0F38LOFAQXIKU`), with its timeline.
    func imported(_ source: String) throws -> Incident {
        let matches = try IncidentCatalog.load(workspace, timelines: true).incidents.filter { $0.source == source }
        guard matches.count == 1 else { throw OpsError.input("\(matches.count) incidents have source \(source)") }
        return matches[0]
    }

    func importedIncidents() throws -> [Incident] {
        try IncidentCatalog.load(workspace, timelines: true).incidents.filter { $0.source != nil }
    }

    func lastCommitMessage() throws -> String { try git(folder.path, "log", "-1", "--format=%B") }
}

/// `2022-09-10T20:22:09Z` as a date, for expectations.
func utc(_ text: String) -> Date { Timestamp.parse(text)! }
