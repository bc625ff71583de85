import Foundation

/// Where one channel's messages go: the URL to POST to and the body it takes. Resolved from
/// ops.yaml's `delivery:` and the environment when a message is sent, and never written
/// anywhere: the URL of an incoming webhook is itself a secret (docs/DESIGN.md §11).
struct DeliveryEndpoint: Sendable, Equatable {
    /// The channel as written in ops.yaml, routes and policies (`#sre-oncall`).
    var channel: String
    var url: URL
    var target: DeliveryTarget
}
