import Foundation

/// The files `ops init` installs, embedded in the binary so it works without the source tree.
/// The runbooks and templates are the repository's own `runbooks/` and `templates/` folders
/// (linked into Sources/OpsKit/Starter); a test checks that this list names every one of them.
enum StarterKit {
    static let runbooks: [(name: String, bytes: [UInt8])] = [
        ("data-drift-alert.md", PackageResources.data_drift_alert_md),
        ("feature-pipeline-failure.md", PackageResources.feature_pipeline_failure_md),
        ("model-serving-degradation.md", PackageResources.model_serving_degradation_md),
        ("sudden-accuracy-drop.md", PackageResources.sudden_accuracy_drop_md),
        ("traffic-spike.md", PackageResources.traffic_spike_md),
    ]

    static let templates: [(name: String, bytes: [UInt8])] = [
        ("incident.md", PackageResources.incident_md),
        ("postmortem.md", PackageResources.postmortem_md),
        ("review/pack.html", PackageResources.pack_html),
        ("review/pack.md", PackageResources.pack_md),
        ("runbook.md", PackageResources.runbook_md),
    ]

    /// A starter template's text, by file name.
    static func text(_ name: String) -> String {
        String(decoding: templates.first { $0.name == name }!.bytes, as: UTF8.self)
    }

    /// Every starter file by its path in a new ops repository.
    static func files(example: Bool, team: String, timeZone: String) -> [(path: String, content: String)] {
        let config = String(decoding: example ? PackageResources.ops_example_yaml : PackageResources.ops_yaml, as: UTF8.self)
            .replacingOccurrences(of: "{{team}}", with: team)
            .replacingOccurrences(of: "{{timezone}}", with: timeZone)
        var files: [(String, String)] = [
            (OpsConfig.path, config),
            (".gitattributes", String(decoding: PackageResources.gitattributes, as: UTF8.self)),
        ]
        if example {
            files.append((RACIMatrix.path, String(decoding: PackageResources.raci_example_yaml, as: UTF8.self)))
            files.append((OnCallSchedule.path, String(decoding: PackageResources.oncall_example_yaml, as: UTF8.self)))
            files.append((ChecksConfig.path, String(decoding: PackageResources.checks_example_yaml, as: UTF8.self)))
            files.append(("data/ops_copilot/answers.csv", String(decoding: PackageResources.checks_ops_copilot_answers_csv, as: UTF8.self)))
            files += SLOStarter.files
            files.append((ErrorBudgetPolicy.defaultSignersPath, String(decoding: PackageResources.allowed_signers_example, as: UTF8.self)))
        }
        files += runbooks.map { ("runbooks/" + $0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        files += templates.map { ("templates/" + $0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        return files
    }
}
