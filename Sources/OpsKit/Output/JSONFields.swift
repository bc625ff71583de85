import Foundation

/// An optional that ops's JSON writes as `null` when nil. A synthesised `Encodable` leaves a nil
/// key out; ops's documents keep every key, so a reader of the schema never has to ask whether
/// a field exists.
@propertyWrapper
public struct NullWhenNil<Value: Encodable>: Encodable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws { try wrappedValue.encode(to: encoder) }
}

extension NullWhenNil: Sendable where Value: Sendable {}

/// A number in ops's JSON: whole numbers as integers, so 3600 s never prints as 3600.0 (clock
/// points are stored to the second, so most durations are whole); null when unknown, and when
/// not finite, which JSON cannot say.
@propertyWrapper
public struct JSONNumber: Encodable, Sendable {
    public var wrappedValue: Double?

    public init(wrappedValue: Double?) { self.wrappedValue = wrappedValue }
    init(_ value: Double?) { wrappedValue = value }
    init(_ value: Decimal?) { wrappedValue = value.map(SLONumber.double) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        guard let value = wrappedValue, value.isFinite else { return try container.encodeNil() }
        if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int(value)) } else { try container.encode(value) }
    }
}

extension Encoder {
    /// A JSON object for a view over another value: each key with its value, nil as null. What
    /// a synthesised `Encodable` cannot do when the names or the shape differ from the stored ones.
    func encodeObject<Key: CodingKey>(_ keys: Key.Type, _ fields: KeyValuePairs<Key, any Encodable>) throws {
        var container = container(keyedBy: keys)
        for (key, value) in fields { try container.encode(value, forKey: key) }
    }
}
