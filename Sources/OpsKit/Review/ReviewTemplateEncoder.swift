import Foundation

/// Renames a figure for the pack.md template, where templates already committed in teams'
/// repositories read it under another name than `metrics.json` gives it (`consumed` for
/// `budget_consumed`). The value is the same; only the key differs.
protocol ReviewTemplateKey: CodingKey {
    var templateName: String? { get }
}

/// The template's context from a section's `Encodable` view: the dictionaries and arrays
/// swift-mustache reads, every `ReviewFigure` as its Markdown, other values as they encode.
/// The only place the pack makes an untyped value.
enum ReviewTemplateEncoder {
    static func encode(_ value: some Encodable) throws -> Any? {
        switch value {
        case let figure as any ReviewFigure: return figure.markdown
        // What mustache prints as it is, or tests in a section.
        case is String, is Int, is Bool, is Double: return value
        default: break
        }
        let encoder = Encoding()
        try value.encode(to: encoder)
        return encoder.storage?.value
    }

    /// What one value encoded to: a scalar, or a dictionary or array still being filled.
    private final class Storage {
        var scalar: Any?
        var fields: [String: Storage]?
        var items: [Storage]?

        init(scalar: Any? = nil) { self.scalar = scalar }

        var value: Any? {
            if let fields { return fields.compactMapValues(\.value) }
            if let items { return items.compactMap(\.value) }
            return scalar
        }
    }

    private final class Encoding: Encoder {
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        var storage: Storage?

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let storage = self.storage ?? Storage()
            if storage.fields == nil { storage.fields = [:] }
            self.storage = storage
            return KeyedEncodingContainer(Keyed(storage: storage, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let storage = self.storage ?? Storage()
            if storage.items == nil { storage.items = [] }
            self.storage = storage
            return Unkeyed(storage: storage, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }
    }

    private static func storage(_ value: some Encodable) throws -> Storage {
        Storage(scalar: try encode(value))
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey]

        func name(_ key: Key) -> String { (key as? any ReviewTemplateKey)?.templateName ?? key.stringValue }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: some Encodable, forKey key: Key) throws { storage.fields![name(key)] = try ReviewTemplateEncoder.storage(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let nested = Storage()
            nested.fields = [:]
            storage.fields![name(key)] = nested
            return KeyedEncodingContainer(Keyed<NestedKey>(storage: nested, codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = Storage()
            nested.items = []
            storage.fields![name(key)] = nested
            return Unkeyed(storage: nested, codingPath: codingPath + [key])
        }
        mutating func superEncoder() -> any Encoder { preconditionFailure("the pack's views do not encode a superclass") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let storage: Storage
        var codingPath: [any CodingKey]
        var count: Int { storage.items!.count }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: some Encodable) throws { storage.items!.append(try ReviewTemplateEncoder.storage(value)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let nested = Storage()
            nested.fields = [:]
            storage.items!.append(nested)
            return KeyedEncodingContainer(Keyed<NestedKey>(storage: nested, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = Storage()
            nested.items = []
            storage.items!.append(nested)
            return Unkeyed(storage: nested, codingPath: codingPath)
        }
        mutating func superEncoder() -> any Encoder { preconditionFailure("the pack's views do not encode a superclass") }
    }

    private struct Single: SingleValueEncodingContainer {
        let encoder: Encoding
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.storage = Storage() }
        mutating func encode(_ value: some Encodable) throws {
            encoder.storage = try ReviewTemplateEncoder.storage(value)
        }
    }
}

extension ReviewTemplateEncoder {
    /// The named values of a section's view, which is a struct.
    static func fields(of view: some Encodable) throws -> [String: Any] {
        guard let fields = try encode(view) as? [String: Any] else { preconditionFailure("a template view is a struct of named values") }
        return fields
    }
}
