import Foundation

/// The SLO files `ops init --example` installs, by their path in the new repository: the
/// catalog and an error-budget policy for each example use case. ops_copilot's is the policy
/// exactly as teams write it today, bare `error_budget: 0.1` included, so `ops lint` shows its
/// warning in a new repository.
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
