import BerthAPIModels

/// A parsed template: Go text/template's node kinds that Docker's formats use.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline, line: Int)
    case ifNode(TemplatePipeline, then: [TemplateNode], else: [TemplateNode]?, line: Int)
    case rangeNode(TemplatePipeline, body: [TemplateNode], else: [TemplateNode]?, line: Int)
    case withNode(TemplatePipeline, body: [TemplateNode], else: [TemplateNode]?, line: Int)
    case breakNode, continueNode
}

/// `$x := cmd arg | cmd2`: optional variable declarations, then commands joined by `|`,
/// each command's result passed as the last argument of the next.
struct TemplatePipeline: Sendable {
    var variables: [String] = []
    /// `=` rather than `:=`.
    var isAssignment = false
    var commands: [TemplateCommand] = []
}

/// One command: a function with arguments, or a single operand.
struct TemplateCommand: Sendable {
    var operands: [TemplateOperand]
}

indirect enum TemplateOperand: Sendable {
    case dot
    /// `.A.B` on dot.
    case field([String])
    /// `$x.A.B`.
    case variable(String, fields: [String])
    case function(String)
    case literal(JSONValue)
    /// `(pipeline).A.B`.
    case pipeline(TemplatePipeline, fields: [String])

    /// How Go names the operand in error messages: `<.Name>`.
    var display: String {
        switch self {
        case .dot: "."
        case .field(let f): "." + f.joined(separator: ".")
        case .variable(let v, let f): ([v] + f).joined(separator: ".")
        case .function(let name): name
        case .literal(let v): v.serialized()
        case .pipeline(_, let f): "(...)" + f.map { "." + $0 }.joined()
        }
    }
}
