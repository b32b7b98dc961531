import BerthAPIModels

/// A value during template execution: a JSON value, or nil for "no value" (a missing
/// map key), which prints as `<no value>` the way Go prints it.
public typealias TemplateValue = JSONValue?

/// A template function: its evaluated arguments in, one value out.
public typealias TemplateFunction = @Sendable ([TemplateValue]) throws -> TemplateValue

/// A Go text/template, evaluated over JSON values, with Docker's extra functions
/// (`json`, `split`, `join`, `title`, `lower`, `upper`, `pad`, `truncate`). This is the
/// entry point for `--format`: `try GoTemplate(text).execute(value)`.
public struct GoTemplate: Sendable {
    let nodes: [TemplateNode]
    let functions: [String: TemplateFunction]

    /// Parses `text`. `functions` add to (or replace) the built-in ones.
    public init(_ text: String, functions extra: [String: TemplateFunction] = [:]) throws(TemplateError) {
        var functions = TemplateFunctions.builtins
        for (name, function) in extra { functions[name] = function }
        let items = try TemplateLexer.lex(text)
        var parser = TemplateParser(items: items, functions: Set(functions.keys).union(["and", "or"]))
        self.nodes = try parser.parse()
        self.functions = functions
    }

    /// Runs the template with `data` as dot and `$`.
    public func execute(_ data: JSONValue) throws(TemplateError) -> String {
        var evaluator = TemplateEvaluator(functions: functions, root: data, headerNames: nil)
        try evaluator.run(nodes, dot: data)
        return evaluator.output
    }

    /// Runs the template for a table header: every field chain (`.Names`,
    /// `.Config.Image`) evaluates to its header title from `names`, else to the last
    /// field's name in upper case with spaces between words (`CreatedAt` → `CREATED AT`).
    public func executeHeader(_ names: [String: String]) throws(TemplateError) -> String {
        var evaluator = TemplateEvaluator(functions: functions, root: .null, headerNames: names)
        try evaluator.run(nodes, dot: .null)
        return evaluator.output
    }

    /// The top-level field names the template reads from dot (`.ID`, `.Names`), in order.
    /// Commands use it to compute only the columns asked for.
    public var referencedFields: [String] {
        var out: [String] = []
        func visit(_ pipeline: TemplatePipeline) {
            for command in pipeline.commands {
                for operand in command.operands {
                    switch operand {
                    case .field(let f): if let first = f.first, !out.contains(first) { out.append(first) }
                    case .pipeline(let inner, _): visit(inner)
                    default: break
                    }
                }
            }
        }
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .action(let p, _): visit(p)
                case .ifNode(let p, let a, let b, _), .rangeNode(let p, let a, let b, _), .withNode(let p, let a, let b, _):
                    visit(p)
                    walk(a)
                    walk(b ?? [])
                default: break
                }
            }
        }
        walk(nodes)
        return out
    }
}
