import Foundation

/// The SLO files `ops init --example` installs, by their path in the new repository: the
/// catalog and an error-budget policy for each example use case. ops_copilot's is the policy
/// as teams write it today, with its ambiguous bare `error_budget: 0.1` written the explicit way
/// (the original line kept as a comment), so a new repository lints clean.
enum SLOStarter {
    static var files: [(path: String, content: String)] {
        [
            (SLOCatalog.path, PackageResources.slo_catalog_example_yaml),
            (ErrorBudgetPolicy.path(for: "fraud_scoring"), PackageResources.policy_fraud_scoring_example_yaml),
            (ErrorBudgetPolicy.path(for: "ops_copilot"), PackageResources.policy_ops_copilot_example_yaml),
            (ErrorBudgetPolicy.path(for: "search_ranking"), PackageResources.policy_search_ranking_example_yaml),
        ].map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }
    }
}
