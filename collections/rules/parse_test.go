package rules

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minicloud/minicloud/collections/ejson"
)

// sexpr renders a parsed expression with explicit structure, for precedence tests.
func sexpr(n *node) string {
	switch n.kind {
	case kLiteral:
		switch v := n.value.(type) {
		case nil:
			return "null"
		case string:
			return strconv.Quote(v)
		case float64:
			return "float(" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
		}
		return fmt.Sprint(n.value)
	case kList:
		items := make([]string, len(n.args))
		for i, a := range n.args {
			items[i] = sexpr(a)
		}
		return "[" + strings.Join(items, " ") + "]"
	case kPath:
		return n.root + segString(n.segs)
	case kGet:
		return "get(" + sexpr(n.args[0]) + ")" + segString(n.segs)
	case kNot:
		return "(! " + sexpr(n.args[0]) + ")"
	}
	op := map[nodeKind]string{kAnd: "&&", kOr: "||", kAdd: "+", kCmp: n.op}[n.kind]
	return "(" + op + " " + sexpr(n.args[0]) + " " + sexpr(n.args[1]) + ")"
}

// source renders a parsed expression back to fully parenthesised rule source.
func source(n *node) string {
	switch n.kind {
	case kLiteral:
		switch v := n.value.(type) {
		case nil:
			return "null"
		case string:
			r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`)
			return "'" + r.Replace(v) + "'"
		case float64:
			f := strconv.FormatFloat(v, 'f', -1, 64)
			if !strings.Contains(f, ".") {
				f += ".0"
			}
			return f
		}
		return fmt.Sprint(n.value)
	case kList:
		items := make([]string, len(n.args))
		for i, a := range n.args {
			items[i] = source(a)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case kPath, kGet:
		var b strings.Builder
		if n.kind == kGet {
			b.WriteString("get(" + source(n.args[0]) + ")")
		} else {
			b.WriteString(n.root)
		}
		for _, s := range n.segs {
			b.WriteString("[" + source(&node{kind: kLiteral, value: s}) + "]")
		}
		return b.String()
	case kNot:
		return "!(" + source(n.args[0]) + ")"
	}
	op := map[nodeKind]string{kAnd: "&&", kOr: "||", kAdd: "+", kCmp: n.op}[n.kind]
	return "(" + source(n.args[0]) + ") " + op + " (" + source(n.args[1]) + ")"
}

func segString(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		ident := s != ""
		for i := 0; i < len(s); i++ {
			ident = ident && isIdentByte(s[i])
		}
		if ident {
			b.WriteString("." + s)
		} else {
			b.WriteString("[" + strconv.Quote(s) + "]")
		}
	}
	return b.String()
}

func TestParsePrecedence(t *testing.T) {
	cases := []struct{ src, want string }{
		{`doc.a || doc.b && doc.c`, `(|| doc.a (&& doc.b doc.c))`},
		{`doc.a && doc.b || doc.c`, `(|| (&& doc.a doc.b) doc.c)`},
		{`doc.a || doc.b || doc.c`, `(|| (|| doc.a doc.b) doc.c)`},
		{`doc.a && doc.b && doc.c`, `(&& (&& doc.a doc.b) doc.c)`},
		{`(doc.a || doc.b) && doc.c`, `(&& (|| doc.a doc.b) doc.c)`},
		{`!doc.a && doc.b`, `(&& (! doc.a) doc.b)`},
		{`!doc.a || !doc.b`, `(|| (! doc.a) (! doc.b))`},
		{`!(doc.a || doc.b)`, `(! (|| doc.a doc.b))`},
		{`!!doc.a`, `(! (! doc.a))`},
		{`! doc.a`, `(! doc.a)`},
		{`doc.a == 1 && doc.b != 'x'`, `(&& (== doc.a 1) (!= doc.b "x"))`},
		{`doc.a < 1 || doc.b >= 2 && doc.c <= 3`, `(|| (< doc.a 1) (&& (>= doc.b 2) (<= doc.c 3)))`},
		{`doc.a > -1`, `(> doc.a -1)`},
		{`doc.a==-1`, `(== doc.a -1)`},
		{`doc.n + 1 == 2`, `(== (+ doc.n 1) 2)`},
		{`2 == doc.n + 1`, `(== 2 (+ doc.n 1))`},
		{`'a' + 'b' + 'c'`, `(+ (+ "a" "b") "c")`},
		{`doc.x in [1, 'a', true, null, -2, 2.5]`, `(in doc.x [1 "a" true null -2 float(2.5)])`},
		{`doc.x in []`, `(in doc.x [])`},
		{`auth.openid in doc.members && doc.ok`, `(&& (in auth.openid doc.members) doc.ok)`},
		{`doc.a['b'][0].c`, `doc.a.b.0.c`},
		{`doc["a b"]["x.y"] == 1`, `(== doc["a b"]["x.y"] 1)`},
		{`doc.a.true == doc.in.null`, `(== doc.a.true doc.in.null)`},
		{`get('database.u.' + auth.openid).role.name == 'x'`, `(== get((+ "database.u." auth.openid)).role.name "x")`},
		{`get ( 'database.u.x' ).role`, `get("database.u.x").role`},
		{`((doc.a))`, `doc.a`},
		{"doc.a\n&&\tdoc.b\r\n||doc.c", `(|| (&& doc.a doc.b) doc.c)`},
		{`auth`, `auth`},
		{`auth == null`, `(== auth null)`},
		{`auth['openid']`, `auth.openid`},
		{`now > doc.at`, `(> now doc.at)`},
		{`(1 < 2) == true`, `(== (< 1 2) true)`},
		{`doc.ab in[1]`, `(in doc.ab [1])`},
		{`doc.index == 1`, `(== doc.index 1)`},
	}
	for _, c := range cases {
		n, err := parseExpr("read", c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := sexpr(n); got != c.want {
			t.Errorf("%q parsed as %s, want %s", c.src, got, c.want)
		}
	}
}

// CloudBase rules are JavaScript-like: ! binds tighter than == (and +), so
// !doc.a == true means (!doc.a) == true (it parsed as !(doc.a == true)).
func TestParseNotBindsTighterThanComparison(t *testing.T) {
	n, err := parseExpr("read", `!doc.a == true`)
	if err != nil {
		t.Fatal(err)
	}
	if got := sexpr(n); got != `(== (! doc.a) true)` {
		t.Errorf("parsed as %s", got)
	}
}

func TestParseLiterals(t *testing.T) {
	cases := []struct {
		src  string
		want any
	}{
		{`'abc'`, "abc"},
		{`"abc"`, "abc"},
		{`''`, ""},
		{`'it\'s'`, "it's"},
		{`"say \"hi\""`, `say "hi"`},
		{`"it's"`, "it's"},
		{`'a\\b'`, `a\b`},
		{`'a\nb\tc'`, "a\nb\tc"},
		{`'\x'`, "x"}, // unknown escapes keep the character
		{`'日本語'`, "日本語"},
		{`'a b  c'`, "a b  c"},
		{`0`, int64(0)},
		{`42`, int64(42)},
		{`-7`, int64(-7)},
		{`007`, int64(7)},
		{`9223372036854775807`, int64(9223372036854775807)},
		{`-9223372036854775808`, int64(-9223372036854775808)},
		{`9223372036854775808`, 9223372036854775808.0}, // too large for int64: a double
		{`2.5`, 2.5},
		{`-0.5`, -0.5},
		{`1.0`, 1.0},
		{`true`, true},
		{`false`, false},
		{`null`, nil},
	}
	for _, c := range cases {
		n, err := parseExpr("read", c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if n.kind != kLiteral {
			t.Errorf("%s: kind %v", c.src, n.kind)
			continue
		}
		if fmt.Sprintf("%T %v", n.value, n.value) != fmt.Sprintf("%T %v", c.want, c.want) {
			t.Errorf("%s = %T %v, want %T %v", c.src, n.value, n.value, c.want, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{``, 1, 1, "expression ends too early"},
		{`   `, 1, 4, "expression ends too early"},
		{`doc.a ==`, 1, 9, "expression ends too early"},
		{`doc.a==1&&`, 1, 11, "expression ends too early"},
		{`!`, 1, 2, "expression ends too early"},
		{`[1,`, 1, 4, "expression ends too early"},
		// operators CloudBase's language does not have
		{`doc.a = 1`, 1, 7, `unexpected "="`},
		{`doc.a === 1`, 1, 9, `unexpected "="`},
		{`doc.a !== 1`, 1, 9, `unexpected "="`},
		{`doc.a & doc.b`, 1, 7, `unexpected "&"`},
		{`doc.a | doc.b`, 1, 7, `unexpected "|"`},
		{`doc.a ? 1 : 2`, 1, 7, `unexpected "?"`},
		{`doc.a <> 1`, 1, 8, `unexpected ">"`},
		{`doc.a and doc.b`, 1, 7, `unexpected "and"`},
		{`doc.a-1`, 1, 6, `unexpected "-1"`},
		{`doc.a; true`, 1, 6, `unexpected ";"`},
		{`doc.a // c`, 1, 7, `unexpected "//"`},
		{"`x`", 1, 1, "unexpected \"`x`\""},
		{`doc.f()`, 1, 6, `unexpected "("`},
		{`now()`, 1, 4, `unexpected "("`},
		{`true.x`, 1, 5, `unexpected ".x"`},
		{`doc.a)`, 1, 6, `unexpected ")"`},
		{`.5`, 1, 1, `unexpected ".5"`},
		{`1e5`, 1, 2, `unexpected "e5"`},
		{`doc.a == 1 == 2`, 1, 12, "comparisons cannot be chained"},
		{`doc.a < 1 <= 2`, 1, 11, "comparisons cannot be chained"},
		{`doc.a == 1 in [1]`, 1, 12, `unexpected "in"`},
		// names
		{`this.a`, 1, 1, `unknown name "this"`},
		{`new Date()`, 1, 1, `unknown name "new"`},
		{`not doc.a`, 1, 1, `unknown name "not"`},
		{`Auth.openid`, 1, 1, `unknown name "Auth"`},
		{`resource.openid == 'x'`, 1, 1, `unknown name "resource"`},
		{`doc`, 1, 4, "doc needs a field"},
		{`doc .a`, 1, 4, "doc needs a field"},
		{`doc.`, 1, 5, "expected a field name after ."},
		{`doc.名 == 1`, 1, 5, "expected a field name after ."},
		{`doc[`, 1, 5, "expected a string or an index in [ ]"},
		{`doc.a[-1]`, 1, 7, "expected a string or an index in [ ]"},
		{`doc['a'`, 1, 8, "missing ]"},
		{`doc.a[0x1]`, 1, 8, "missing ]"},
		{`auth.password == 'x'`, 1, 1, `unknown auth field "password"`},
		{`auth['Openid'] == 'x'`, 1, 1, `unknown auth field "Openid"`},
		{`auth .openid`, 1, 6, `unexpected ".openid"`},
		{`get`, 1, 4, "get needs (…)"},
		{`get('database.u.x') .role`, 1, 21, `unexpected ".role"`},
		{`get('database.a.b'`, 1, 19, "missing ) after get(…"},
		// literals
		{`[doc.a]`, 1, 7, "list items must be literals"},
		{`[1 + 1]`, 1, 7, "list items must be literals"},
		{`[[1]]`, 1, 5, "list items must be literals"},
		{`[1 2]`, 1, 4, "expected , or ] in a list"},
		{`[1,]`, 1, 4, `unexpected "]"`},
		{`'abc`, 1, 5, "unterminated string"},
		{`'abc\`, 1, 6, "unterminated string"},
		{`"abc'`, 1, 6, "unterminated string"},
		{`1.2.3`, 1, 1, `invalid number "1.2.3"`},
		{`-`, 1, 1, `invalid number "-"`},
		{`- 1`, 1, 1, `invalid number "-"`},
		{`doc.a == --1`, 1, 10, `invalid number "-"`},
		{`(doc.a`, 1, 7, "missing )"},
		{`((doc.a)`, 1, 9, "missing )"},
		// positions count lines and characters, not bytes
		{"auth != null &&\n\tdoc.a == @", 2, 11, `unexpected "@"`},
		{"doc.a ==\r\n 1 &&\r\n ]", 3, 2, `unexpected "]"`},
		{`'日本' == @`, 1, 9, `unexpected "@"`},
		{"\n\n\n   ?", 4, 4, `unexpected "?"`},
	}
	for _, c := range cases {
		_, err := parseExpr("update", c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a syntax error, got %v", c.src, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.HasPrefix(se.Msg, c.msg) || se.Rule != "update" {
			t.Errorf("%q: got %d:%d %q (rule %q), want %d:%d %q", c.src, se.Line, se.Column, se.Msg, se.Rule, c.line, c.col, c.msg)
		}
		checkPosition(t, c.src, se)
		want := fmt.Sprintf("rule %q: line %d, column %d: %s", "update", se.Line, se.Column, se.Msg)
		if se.Error() != want {
			t.Errorf("Error() = %q, want %q", se.Error(), want)
		}
	}
}

// checkPosition verifies that an error's line and column describe its byte offset.
func checkPosition(t *testing.T, src string, se *SyntaxError) {
	t.Helper()
	if se.Offset < 0 || se.Offset > len(src) {
		t.Errorf("%q: offset %d outside the source", src, se.Offset)
		return
	}
	before := src[:se.Offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if se.Line != line || se.Column != col {
		t.Errorf("%q: offset %d is %d:%d, error says %d:%d", src, se.Offset, line, col, se.Line, se.Column)
	}
}

// Random token soup: parsing never panics, and an error always carries a position
// consistent with its offset; a successful parse renders to an expression that parses
// to the same tree.
func TestParseRandomTokens(t *testing.T) {
	tokens := []string{
		"doc", "auth", "now", "get", "null", "true", "false", "in", ".", "a", "_openid", "openid",
		"uid", "[", "]", "(", ")", ",", "'x'", `"y"`, "'", "1", "-2", "2.5", "==", "!=", "<", "<=",
		">", ">=", "&&", "||", "!", "+", " ", "\n", "'database.c.'", "日", "\\", "=", "&", "|",
	}
	r := rand.New(rand.NewPCG(11, 12))
	parsed := 0
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		src := b.String()
		n, err := parseExpr("read", src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: unstructured error %v", src, err)
			}
			checkPosition(t, src, se)
			continue
		}
		parsed++
		back, err := parseExpr("read", source(n))
		if err != nil {
			t.Fatalf("%q rendered as %q: %v", src, source(n), err)
		}
		if sexpr(back) != sexpr(n) {
			t.Fatalf("%q: %s, but its rendering %q parses as %s", src, sexpr(n), source(n), sexpr(back))
		}
		// evaluation and proof never panic on whatever parsed
		ev := &evaluator{env: alice, doc: ejson.D{{Key: "a", Value: int64(1)}}}
		_, _ = ev.eval(n)
		pr := &prover{ev: &evaluator{env: alice}, cons: queryBranches(ejson.D{{Key: "a", Value: int64(1)}})[0]}
		_, _ = pr.prove(n, false)
	}
	if parsed < 300 {
		t.Fatalf("only %d random sources parsed: the generator is too weak", parsed)
	}
}

func TestParseLimits(t *testing.T) {
	repeat := func(item, sep string, k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = item
		}
		return strings.Join(parts, sep)
	}
	// 250 literals joined by 249 || make 499 nodes; one more pair makes 501
	long := "'" + strings.Repeat("x", MaxRuleLength-2) + "'"
	cases := []struct {
		name, src, err string
	}{
		{"length at the limit", long, ""},
		{"length past the limit", long + " ", fmt.Sprintf("expression longer than %d bytes", MaxRuleLength)},
		{"nodes at the limit", repeat("true", " || ", 250), ""},
		{"nodes past the limit", repeat("true", " || ", 251), "expression is too large"},
		{"nots at the limit", strings.Repeat("!", MaxRuleNodes-1) + "true", ""},
		{"nots past the limit", strings.Repeat("!", MaxRuleNodes) + "true", "expression is too large"},
		{"deep parentheses", strings.Repeat("(", 2000) + "true" + strings.Repeat(")", 2000), ""},
		{"deep unclosed parentheses", strings.Repeat("(", 2000) + "true", "missing )"},
		// doc.a, the list, its items and the comparison
		{"list at the limit", "doc.a in [" + repeat("1", ",", MaxRuleNodes-3) + "]", ""},
		{"list past the limit", "doc.a in [" + repeat("1", ",", MaxRuleNodes-2) + "]", "expression is too large"},
		{"gets at the limit", repeat("get('database.c.x').ok", " || ", MaxGetCalls), ""},
		{"gets past the limit", repeat("get('database.c.x').ok", " || ", MaxGetCalls+1), fmt.Sprintf("at most %d get() calls per rule", MaxGetCalls)},
	}
	for _, c := range cases {
		_, err := parseExpr("read", c.src)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.err)
		}
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Errorf("%s: unstructured error %v", c.name, err)
		}
	}
	_, err := parseExpr("read", long+" ")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 1 || se.Column != 1 || se.Offset != 0 {
		t.Errorf("length error position: %#v", err)
	}
}

func TestParseRuleSetJSON(t *testing.T) {
	cases := []struct {
		raw, err string
	}{
		{`{}`, ""},
		{`{"read":true}`, ""},
		{` { "read" : "auth != null" , "write" : false } `, ""},
		{`{"read":true,"write":false,"create":true,"update":"doc.a == 1","delete":false}`, ""},
		{`{"read":null}`, `rule "read" must be true, false or an expression string`},
		{`{"read":1}`, `rule "read" must be true, false or an expression string`},
		{`{"read":["auth != null"]}`, `rule "read" must be true, false or an expression string`},
		{`{"read":{"expr":"true"}}`, `rule "read" must be true, false or an expression string`},
		{`{"read":""}`, `rule "read": line 1, column 1: expression ends too early`},
		{`{"read":"true","read":"false"}`, "duplicate key"},
		{`{"Read":true}`, `unknown rule "Read"`},
		{`{"list":true}`, `unknown rule "list"`},
		{`{"invoke":true}`, `unknown rule "invoke"`},
		{`[]`, "rules must be a JSON object"},
		{`"read"`, "rules must be a JSON object"},
		{`true`, "rules must be a JSON object"},
		{`null`, "rules must be a JSON object"},
		{``, "rules must be a JSON object"},
		{`{"read":true`, "rules must be a JSON object"},
		{`{"read":true} x`, "rules must be a JSON object"},
		{`{"write":"doc.a =="}`, `rule "write": line 1, column 9: expression ends too early`},
	}
	for _, c := range cases {
		rs, err := Parse([]byte(c.raw))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.raw, err)
		case c.err == "" && rs == nil:
			t.Errorf("%s: nil rule set", c.raw)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: got %v, want %q", c.raw, err, c.err)
		}
	}
}

func TestParseWriteSplit(t *testing.T) {
	cases := []struct {
		raw                               string
		read, create, update, delete, all string // Source of each op
	}{
		{`{"read":true}`, "true", "", "", "", ""},
		{`{"write":"auth != null"}`, "", "auth != null", "auth != null", "auth != null", ""},
		// an explicit op wins over write, whichever comes first
		{`{"create":false,"write":true}`, "", "false", "true", "true", ""},
		{`{"write":true,"create":false}`, "", "false", "true", "true", ""},
		{`{"update":"doc.a == 1","delete":true,"create":true,"write":false}`, "", "true", "doc.a == 1", "true", ""},
		{`{"delete":true}`, "", "", "", "true", ""},
	}
	for _, c := range cases {
		rs, err := Parse([]byte(c.raw))
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		got := []string{rs.Source(Read), rs.Source(Create), rs.Source(Update), rs.Source(Delete), rs.Source(Op("write"))}
		want := []string{c.read, c.create, c.update, c.delete, c.all}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: sources %q, want %q", c.raw, got, want)
		}
	}
	rs, err := Parse([]byte("{\n  \"read\" : \"doc.a == 'x y'\",\n  \"write\": false\n}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(rs.JSON()); got != `{"read":"doc.a == 'x y'","write":false}` {
		t.Errorf("JSON() = %s", got)
	}
}

// ParseExpr with authOnly reports the position of the first doc or get() use.
func TestParseExprAuthOnlyPositions(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		what      string
	}{
		{"doc.a == 1", 1, 1, "doc"},
		{"auth != null && doc.a", 1, 17, "doc"},
		{"auth != null &&\n  (get('database.a.b').x || doc.y)", 2, 4, "get()"},
		{"'日本' == doc['k']", 1, 9, "doc"},
	}
	for _, c := range cases {
		_, err := ParseExpr("invoke", c.src, true)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != c.line || se.Column != c.col || !strings.HasPrefix(se.Msg, c.what+" is not available here") {
			t.Errorf("%q: %#v, want %d:%d %s", c.src, err, c.line, c.col, c.what)
			continue
		}
		checkPosition(t, c.src, se)
	}
	for _, ok := range []any{"auth != null", "now > 0 || auth.uid == 'x'", true, false} {
		if _, err := ParseExpr("invoke", ok, true); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}
