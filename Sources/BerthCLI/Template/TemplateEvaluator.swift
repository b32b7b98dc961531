import BerthAPIModels

/// Executes a parsed template. Variables live in a stack that control structures cut
/// back when they end, as Go's do.
struct TemplateEvaluator {
    let functions: [String: TemplateFunction]
    let root: JSONValue
    /// Set when rendering a table header (see `GoTemplate.executeHeader`).
    let headerNames: [String: String]?
    var output = ""
    private var variables: [(name: String, value: TemplateValue)]

    init(functions: [String: TemplateFunction], root: JSONValue, headerNames: [String: String]?) {
        self.functions = functions
        self.root = root
        self.headerNames = headerNames
        self.variables = [("$", root)]
    }

    private enum LoopControl: Error { case breakLoop, continueLoop }

    mutating func run(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) {
        do {
            try walk(nodes, dot: dot)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError("template: \(error)")
        }
    }

    private mutating func walk(_ nodes: [TemplateNode], dot: TemplateValue) throws {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .action(let pipeline, let line):
                let value = try pipe(pipeline, dot: dot, line: line)
                if pipeline.variables.isEmpty { output += GoFormat.print(value) }
            case .ifNode(let pipeline, let then, let otherwise, let line):
                let mark = variables.count
                let value = try pipe(pipeline, dot: dot, line: line)
                if GoFormat.isTrue(value) { try walk(then, dot: dot) } else if let otherwise { try walk(otherwise, dot: dot) }
                variables.removeSubrange(mark...)
            case .withNode(let pipeline, let body, let otherwise, let line):
                let mark = variables.count
                let value = try pipe(pipeline, dot: dot, line: line)
                if GoFormat.isTrue(value) { try walk(body, dot: value) } else if let otherwise { try walk(otherwise, dot: dot) }
                variables.removeSubrange(mark...)
            case .rangeNode(let pipeline, let body, let otherwise, let line):
                try range(pipeline, body: body, otherwise: otherwise, dot: dot, line: line)
            case .breakNode:
                throw LoopControl.breakLoop
            case .continueNode:
                throw LoopControl.continueLoop
            }
        }
    }

    private mutating func range(
        _ pipeline: TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode]?, dot: TemplateValue, line: Int
    ) throws {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        var bare = pipeline
        bare.variables = []
        let value = try pipe(bare, dot: dot, line: line)
        let elements: [(key: JSONValue, value: JSONValue)]
        switch value {
        case .array(let items)?: elements = items.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .object(let object)?: elements = object.members.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value) }
        case .int(let n)?: elements = (0..<max(0, n)).map { (.int($0), .int($0)) }
        case .null?, nil: elements = []
        case let other?:
            throw TemplateError.exec(line: line, at: "range", "range can't iterate over \(GoFormat.print(other))")
        }
        if elements.isEmpty {
            if let otherwise { try walk(otherwise, dot: dot) }
            return
        }
        for element in elements {
            let iterationMark = variables.count
            switch pipeline.variables.count {
            case 0: break
            case 1: variables.append((pipeline.variables[0], element.value))
            default:
                variables.append((pipeline.variables[0], element.key))
                variables.append((pipeline.variables[1], element.value))
            }
            do {
                try walk(body, dot: element.value)
            } catch LoopControl.breakLoop {
                variables.removeSubrange(iterationMark...)
                break
            } catch LoopControl.continueLoop {}
            variables.removeSubrange(iterationMark...)
        }
    }

    /// Runs a pipeline: each command's result becomes the last argument of the next.
    private mutating func pipe(_ pipeline: TemplatePipeline, dot: TemplateValue, line: Int) throws -> TemplateValue {
        var result: TemplateValue = nil
        for (i, command) in pipeline.commands.enumerated() {
            result = try run(command, dot: dot, piped: result, hasPiped: i > 0, line: line)
        }
        for name in pipeline.variables {
            if pipeline.isAssignment {
                guard let i = variables.lastIndex(where: { $0.name == name }) else {
                    throw TemplateError.parse(line: line, "undefined variable: \(name)")
                }
                variables[i].value = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private mutating func run(
        _ command: TemplateCommand, dot: TemplateValue, piped: TemplateValue, hasPiped: Bool, line: Int
    ) throws -> TemplateValue {
        let first = command.operands[0]
        guard case .function(let name) = first else {
            guard command.operands.count == 1, !hasPiped else {
                throw TemplateError.exec(line: line, at: first.display, "can't give argument to non-function \(first.display)")
            }
            return try operand(first, dot: dot, line: line)
        }
        if name == "and" || name == "or" {
            return try shortCircuit(name, command.operands.dropFirst(), dot: dot, piped: hasPiped ? [piped] : [], line: line)
        }
        var args: [TemplateValue] = []
        for op in command.operands.dropFirst() { args.append(try operand(op, dot: dot, line: line)) }
        if hasPiped { args.append(piped) }
        return try call(name, args, line: line)
    }

    /// `and` and `or` stop at the first false (true) argument and return it, as Go 1.18+.
    private mutating func shortCircuit(
        _ name: String, _ operands: ArraySlice<TemplateOperand>, dot: TemplateValue, piped: [TemplateValue], line: Int
    ) throws -> TemplateValue {
        var last: TemplateValue = nil
        var count = 0
        for op in operands {
            last = try operand(op, dot: dot, line: line)
            count += 1
            if GoFormat.isTrue(last) == (name == "or") { return last }
        }
        for value in piped {
            last = value
            count += 1
        }
        guard count > 0 else { throw TemplateError.exec(line: line, at: name, "wrong number of args for \(name): want at least 1 got 0") }
        return last
    }

    private func call(_ name: String, _ args: [TemplateValue], line: Int) throws -> TemplateValue {
        guard let function = functions[name] else {
            throw TemplateError.parse(line: line, "function \"\(name)\" not defined")
        }
        do {
            return try function(args)
        } catch let error as TemplateError {
            throw TemplateError.exec(line: line, at: name, "error calling \(name): \(error.message)")
        }
    }

    private mutating func operand(_ op: TemplateOperand, dot: TemplateValue, line: Int) throws -> TemplateValue {
        switch op {
        case .dot:
            return dot
        case .field(let fields):
            if let headerNames { return .string(TemplateEvaluator.header(for: fields, names: headerNames)) }
            return try walkFields(dot, fields, line: line, display: op.display)
        case .variable(let name, let fields):
            guard let found = variables.last(where: { $0.name == name }) else {
                throw TemplateError.parse(line: line, "undefined variable \"\(name)\"")
            }
            return try walkFields(found.value, fields, line: line, display: op.display)
        case .function(let name):
            return try call(name, [], line: line)
        case .literal(let value):
            return value
        case .pipeline(let pipeline, let fields):
            let value = try pipe(pipeline, dot: dot, line: line)
            return try walkFields(value, fields, line: line, display: op.display)
        }
    }

    private func walkFields(_ value: TemplateValue, _ fields: [String], line: Int, display: String) throws -> TemplateValue {
        var current = value
        for field in fields {
            switch current {
            case .object(let object)?: current = object[field]
            case .null?, nil: return nil
            case let other?:
                throw TemplateError.exec(line: line, at: display, "can't evaluate field \(field) in type \(GoFormat.typeName(other))")
            }
        }
        return current
    }

    static func header(for fields: [String], names: [String: String]) -> String {
        if let name = names[fields.joined(separator: ".")] ?? fields.last.flatMap({ names[$0] }) { return name }
        var out = ""
        let last = Array(fields.last ?? "")
        for (i, c) in last.enumerated() {
            if i > 0, c.isUppercase, !last[i - 1].isUppercase || (i + 1 < last.count && last[i + 1].isLowercase) {
                out += " "
            }
            out += c.uppercased()
        }
        return out
    }
}
