/// A Go template that did not parse or failed while running, with Go's wording
/// (`template: :1: function "foo" not defined`).
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func parse(line: Int, _ message: String) -> TemplateError {
        TemplateError("template: :\(line): \(message)")
    }

    static func exec(line: Int, at context: String, _ message: String) -> TemplateError {
        TemplateError("template: :\(line): executing \"\" at <\(context)>: \(message)")
    }
}
