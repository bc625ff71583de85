import Foundation

/// A JSON value for `metrics.json`: the pack's figures are assembled as a tree, so the file holds
/// exactly what the pack shows and `JSONOutput` (sorted keys) gives the same bytes every run.
public indirect enum ReviewValue: Encodable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case null
    case array([ReviewValue])
    case object([String: ReviewValue])

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let value):
            // Whole numbers as integers, so 3600 s never prints as 3600.0; non-finite values have no JSON form.
            if !value.isFinite { try container.encodeNil() }
            else if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int(value)) }
            else { try container.encode(value) }
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }

    static func optional(_ value: Double?) -> ReviewValue { value.map { .number($0) } ?? .null }
    static func optional(_ value: String?) -> ReviewValue { value.map { .string($0) } ?? .null }
}
