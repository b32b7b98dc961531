import BerthAPIModels

/// Builds the node tree from lexed items: actions, `if`/`else if`/`else`, `range`,
/// `with`, `break`, `continue`, `end`. Functions are checked when parsed, as Go does.
struct TemplateParser {
    private var items: [TemplateItem]
    private var position = 0
    private let functions: Set<String>
    private var rangeDepth = 0

    init(items: [TemplateItem], functions: Set<String>) {
        self.items = items
        self.functions = functions
    }

    /// What ended a list of nodes.
    private enum Terminator {
        case end
        case elseBranch([TemplateToken], line: Int)
        case eof
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, terminator) = try parseList()
        switch terminator {
        case .eof: return nodes
        case .end: throw .parse(line: lastLine, "unexpected {{end}}")
        case .elseBranch(_, let line): throw .parse(line: line, "unexpected {{else}}")
        }
    }

    private var lastLine: Int {
        for item in items[..<min(position, items.count)].reversed() {
            if case .action(_, let line) = item { return line }
        }
        return 1
    }

    private mutating func parseList() throws(TemplateError) -> ([TemplateNode], Terminator) {
        var nodes: [TemplateNode] = []
        while position < items.count {
            let item = items[position]
            position += 1
            switch item {
            case .text(let text):
                nodes.append(.text(text))
            case .action(let tokens, let line):
                guard case .identifier(let word)? = tokens.first else {
                    nodes.append(.action(try parsePipeline(tokens[...], line: line), line: line))
                    continue
                }
                switch word {
                case "end":
                    guard tokens.count == 1 else { throw .parse(line: line, "unexpected tokens after end") }
                    return (nodes, .end)
                case "else":
                    return (nodes, .elseBranch(Array(tokens.dropFirst()), line: line))
                case "if", "range", "with":
                    nodes.append(try parseControl(word, tokens.dropFirst(), line: line))
                case "break", "continue":
                    guard rangeDepth > 0 else { throw .parse(line: line, "{{\(word)}} outside {{range}}") }
                    nodes.append(word == "break" ? .breakNode : .continueNode)
                case "define", "template", "block":
                    throw .parse(line: line, "{{\(word)}} is not supported")
                default:
                    nodes.append(.action(try parsePipeline(tokens[...], line: line), line: line))
                }
            }
        }
        return (nodes, .eof)
    }

    /// `if`, `range` or `with` after its keyword, through its `end`. `else if` and
    /// `else with` nest a control node in the else branch that shares the same `end`.
    private mutating func parseControl(_ word: String, _ tokens: ArraySlice<TemplateToken>, line: Int) throws(TemplateError) -> TemplateNode {
        let pipeline = try parsePipeline(tokens, line: line)
        if word == "range" { rangeDepth += 1 }
        let (body, terminator) = try parseList()
        if word == "range" { rangeDepth -= 1 }
        var elseBody: [TemplateNode]?
        switch terminator {
        case .eof:
            throw .parse(line: line, "unexpected EOF")
        case .end:
            break
        case .elseBranch(let rest, let elseLine):
            if case .identifier(let chained)? = rest.first, chained == "if" || chained == "with", chained == word || word == "if" {
                elseBody = [try parseControl(chained, rest.dropFirst()[...], line: elseLine)]
            } else if rest.isEmpty {
                let (nodes, next) = try parseList()
                guard case .end = next else { throw .parse(line: elseLine, "expected end; found else") }
                elseBody = nodes
            } else {
                throw .parse(line: elseLine, "unexpected tokens after else")
            }
        }
        switch word {
        case "if": return .ifNode(pipeline, then: body, else: elseBody, line: line)
        case "range": return .rangeNode(pipeline, body: body, else: elseBody, line: line)
        default: return .withNode(pipeline, body: body, else: elseBody, line: line)
        }
    }

    private func parsePipeline(_ tokens: ArraySlice<TemplateToken>, line: Int) throws(TemplateError) -> TemplatePipeline {
        var tokens = tokens
        var pipeline = TemplatePipeline()
        // Declarations: `$x :=`, `$k, $v :=`, `$x =`.
        if let end = tokens.firstIndex(where: { $0 == .declare || $0 == .assign }),
           tokens[tokens.startIndex..<end].allSatisfy({ if case .variable(_, let f) = $0 { return f.isEmpty }; return $0 == .comma }) {
            for token in tokens[tokens.startIndex..<end] {
                if case .variable(let name, _) = token { pipeline.variables.append(name) }
            }
            pipeline.isAssignment = tokens[end] == .assign
            tokens = tokens[(end + 1)...]
        }
        var operands: [TemplateOperand] = []
        while let token = tokens.first {
            tokens = tokens.dropFirst()
            if token == .pipe {
                guard !operands.isEmpty else { throw .parse(line: line, "missing command before |") }
                pipeline.commands.append(TemplateCommand(operands: operands))
                operands = []
                continue
            }
            operands.append(try parseOperand(token, &tokens, line: line))
        }
        guard !operands.isEmpty else { throw .parse(line: line, "missing value for command") }
        pipeline.commands.append(TemplateCommand(operands: operands))
        return pipeline
    }

    private func parseOperand(_ token: TemplateToken, _ tokens: inout ArraySlice<TemplateToken>, line: Int) throws(TemplateError) -> TemplateOperand {
        switch token {
        case .dot: return .dot
        case .field(let fields, _): return .field(fields)
        case .variable(let name, let fields): return .variable(name, fields: fields)
        case .string(let s): return .literal(.string(s))
        case .number(let text): return .literal(try number(text, line: line))
        case .identifier(let name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "nil": return .literal(.null)
            default:
                guard functions.contains(name) else { throw .parse(line: line, "function \"\(name)\" not defined") }
                return .function(name)
            }
        case .leftParen:
            var depth = 1
            var inner: [TemplateToken] = []
            while let next = tokens.first {
                tokens = tokens.dropFirst()
                if next == .leftParen { depth += 1 }
                if next == .rightParen { depth -= 1; if depth == 0 { break } }
                inner.append(next)
            }
            guard depth == 0 else { throw .parse(line: line, "unclosed left paren") }
            var fields: [String] = []
            if case .field(let chain, true)? = tokens.first {
                fields = chain
                tokens = tokens.dropFirst()
            }
            return .pipeline(try parsePipeline(inner[...], line: line), fields: fields)
        case .rightParen: throw .parse(line: line, "unexpected right paren")
        case .comma, .declare, .assign, .pipe: throw .parse(line: line, "unexpected \(token) in operand")
        }
    }

    private func number(_ text: String, line: Int) throws(TemplateError) -> JSONValue {
        let clean = text.replacingUnderscores()
        if let i = Int64(clean) { return .int(i) }
        if clean.hasPrefix("0x") || clean.hasPrefix("0X"), let i = Int64(clean.dropFirst(2), radix: 16) { return .int(i) }
        if let d = Double(clean) { return .double(d) }
        throw .parse(line: line, "bad number syntax: \"\(text)\"")
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
