import Foundation

/// The objects that `ops slo status --format json` and `ops release check --format json` both
/// write (README, SLOs and error budgets; Release gate and signals): one type each, so the two
/// documents cannot drift apart.
enum SLOJSON {
    /// A policy threshold reached: `{at, actions}`.
    struct Crossed: Encodable {
        var at: Decimal
        var actions: [String]

        init(_ alert: ErrorBudgetPolicy.BurnAlert) {
            at = alert.at
            actions = alert.actions
        }
    }

    /// The freeze a verdict calls for, and whether the gate holds releases for it.
    struct Freeze: Encodable {
        var scope: String
        @NullWhenNil var action: String?
        @NullWhenNil var at: Decimal?
        /// False under an alert-only policy: the freeze is reported, not enforced.
        var enforced: Bool

        init(_ verdict: ReleaseVerdict) {
            scope = verdict.freeze.scope.rawValue
            action = verdict.freeze.action
            at = verdict.freeze.threshold
            enforced = verdict.freezeEnforced
        }
    }

    /// A span of one of the use case's SLIs burning faster than `alert_burn_rate`.
    struct BurnAlert: Encodable {
        var sli: String
        var span: String
        var rate: Double

        init(sli: String, span: BurnSpan, rate: Double) {
            self.sli = sli
            self.span = span.rawValue
            self.rate = rate
        }

        init(_ alert: BurnRateAlert) { self.init(sli: alert.sli, span: alert.span, rate: alert.rate) }
    }
}
