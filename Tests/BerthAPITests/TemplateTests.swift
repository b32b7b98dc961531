import BerthAPIModels
import Testing
@testable import BerthCLI

@Suite struct TemplateTests {
    static let data: JSONValue = try! JSONValue.parse(#"""
    {"ID":"abc123","Name":"/web","State":{"Running":true,"Pid":42},
     "Config":{"Labels":{"b":"2","a":"1"},"Env":["A=1","B=2"],"Image":"alpine"},
     "Names":["web","db"],"Count":0,"Ratio":1.5,"Empty":"","Nothing":null,"Mem":25276514304}
    """#)

    func render(_ text: String, _ data: JSONValue = data) throws -> String {
        try GoTemplate(text).execute(data)
    }

    @Test func fieldsAndNesting() throws {
        #expect(try render("{{.ID}}") == "abc123")
        #expect(try render("{{.State.Pid}} {{.Config.Image}}") == "42 alpine")
        #expect(try render("{{.Mem}}") == "25276514304")
        #expect(try render("{{.Ratio}}") == "1.5")
        #expect(try render("{{.Missing}}") == "<no value>")
        #expect(try render("{{.Nothing}}") == "<nil>")
        #expect(try render("{{.State.Running}}") == "true")
    }

    @Test func goPrintingOfMapsAndSlices() throws {
        #expect(try render("{{.Config.Labels}}") == "map[a:1 b:2]")
        #expect(try render("{{.Names}}") == "[web db]")
        #expect(try render("{{.State}}") == "map[Pid:42 Running:true]")
    }

    @Test func jsonFunctionKeepsOrder() throws {
        #expect(try render("{{json .Config.Labels}}") == #"{"b":"2","a":"1"}"#)
        #expect(try render("{{json .Names}}") == #"["web","db"]"#)
        #expect(try render("{{json .Empty}}") == #""""#)
        #expect(try render("{{.Names | json}}") == #"["web","db"]"#)
    }

    @Test func stringFunctions() throws {
        #expect(try render(#"{{join .Names ", "}}"#) == "web, db")
        #expect(try render("{{upper .Config.Image}} {{lower \"ABC\"}} {{title \"hello world\"}}") == "ALPINE abc Hello World")
        #expect(try render(#"{{split "a:b:c" ":"}}"#) == "[a b c]")
        #expect(try render(#"{{index (split "a:b:c" ":") 1}}"#) == "b")
        #expect(try render(#"{{pad "x" 1 2}}|"#) == " x  |")
        #expect(try render(#"{{truncate .ID 3}}"#) == "abc")
        #expect(try render("{{len .Names}} {{len .Config.Labels}} {{len .ID}}") == "2 2 6")
        #expect(try render(#"{{println "a" 1}}"#) == "a 1\n")
        #expect(try render(#"{{printf "%-6s|%3d|%.2f|%q" "ab" 7 .Ratio "x"}}"#) == "ab    |  7|1.50|\"x\"")
        #expect(try render(#"{{print "a" "b" 1 2}}"#) == "ab1 2")
    }

    @Test func indexIntoMapsAndArrays() throws {
        #expect(try render(#"{{index .Config.Labels "a"}}"#) == "1")
        #expect(try render("{{index .Names 0}}") == "web")
        #expect(try render("{{(index .Names 1)}}") == "db")
        #expect(try render(#"{{(index .Config "Labels").b}}"#) == "2")
    }

    @Test func rangeAndVariables() throws {
        #expect(try render("{{range .Names}}[{{.}}]{{end}}") == "[web][db]")
        #expect(try render("{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}") == "0=web 1=db ")
        #expect(try render("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}},{{end}}") == "a:1,b:2,")
        #expect(try render("{{range .Nothing}}x{{else}}none{{end}}") == "none")
        #expect(try render("{{range .Names}}{{if eq . \"db\"}}{{break}}{{end}}{{.}}{{end}}") == "web")
        #expect(try render("{{range .Names}}{{if eq . \"web\"}}{{continue}}{{end}}{{.}}{{end}}") == "db")
        #expect(try render("{{$x := .ID}}{{range .Names}}{{$x}}{{end}}") == "abc123abc123")
        #expect(try render("{{range .Names}}{{$.ID}}{{end}}") == "abc123abc123")
        #expect(try render("{{$x := 1}}{{$x = 2}}{{$x}}") == "2")
    }

    @Test func conditionals() throws {
        #expect(try render("{{if .State.Running}}up{{else}}down{{end}}") == "up")
        #expect(try render("{{if .Count}}a{{else if .Empty}}b{{else if .ID}}c{{else}}d{{end}}") == "c")
        #expect(try render("{{if not .Empty}}empty{{end}}") == "empty")
        #expect(try render("{{if and .ID .Count}}y{{else}}n{{end}}") == "n")
        #expect(try render("{{or .Empty .ID}}") == "abc123")
        #expect(try render("{{if gt .State.Pid 40}}big{{end}}{{if lt .Ratio 2}}small{{end}}") == "bigsmall")
        #expect(try render("{{if ne .ID \"x\"}}ne{{end}}{{if eq .ID \"x\" \"abc123\"}}eq{{end}}") == "neeq")
        #expect(try render("{{with .State}}{{.Pid}}{{end}}{{with .Empty}}x{{else}}y{{end}}") == "42y")
    }

    @Test func whitespaceTrimmingAndComments() throws {
        #expect(try render("a  {{- .ID -}}  b") == "aabc123b")
        #expect(try render("a\n{{- /* note */ -}}\nb") == "ab")
        #expect(try render("{{range .Names -}}\n  {{.}}\n{{- end}}") == "webdb")
        #expect(try render("{{-3}}") == "-3")
    }

    @Test func errorsUseGoWording() {
        #expect(throws: TemplateError("template: :1: function \"nope\" not defined")) { try render("{{nope .}}") }
        #expect(throws: TemplateError.self) { try render("{{if .ID}}x") }
        #expect(throws: TemplateError.self) { try render("{{end}}") }
        #expect(throws: TemplateError.self) { try render("{{.ID") }
        #expect(throws: TemplateError.self) { try render("{{.ID.Foo}}") }
    }

    @Test func tableFormatAlignsColumnsWithHeaders() throws {
        let format = try OutputFormat(#"table {{.ID}}\t{{.Image}}\t{{.CreatedAt}}"#, defaultTable: "")
        let rows: [JSONValue] = [
            ["ID": "1f2e3d4c5b6a", "Image": "alpine", "CreatedAt": "now"],
            ["ID": "aa", "Image": "docker.io/library/nginx:latest", "CreatedAt": "then"],
        ]
        let out = try format.render(rows, headers: ["ID": "CONTAINER ID"])
        #expect(out == """
            CONTAINER ID   IMAGE                            CREATED AT
            1f2e3d4c5b6a   alpine                           now
            aa             docker.io/library/nginx:latest   then

            """)
        #expect(try OutputFormat("json", defaultTable: "").render([["a": 1]]) == "{\"a\":1}\n")
        #expect(try OutputFormat("{{.a}}", defaultTable: "").render([["a": 1], ["a": 2]]) == "1\n2\n")
        #expect(try OutputFormat("", defaultTable: "{{.a}}\\t{{.b}}").render([["a": 1, "b": 2]]) == "A         B\n1         2\n")
    }

    @Test func tabWriterBlocks() {
        #expect(TabWriter.keyValue.format(" Version:\t1.0\n API version:\t1.47\n") == " Version:           1.0\n API version:       1.47\n")
        #expect(TabWriter(minWidth: 0, padding: 1).format("a\tb\nccc\td\nno tabs\nx\ty\n") == "a   b\nccc d\nno tabs\nx y\n")
    }

    @Test func referencedFields() throws {
        #expect(try GoTemplate("{{.A}} {{if .B}}{{.C.D}}{{end}} {{json (index .E 0)}}").referencedFields == ["A", "B", "C", "E"])
    }
}
