// Package rules parses and evaluates CloudBase database security rules: JSON of the
// form {"read": <rule>, "write": <rule>} or with "write" split into "create",
// "update" and "delete", where a rule is true, false or an expression string such as
//
//	"doc._openid == auth.openid || doc.public == true"
//	"get('database.users.' + auth.openid).role == 'admin'"
//
// Expressions use auth (null when the caller is not signed in), auth.openid, auth.uid,
// auth.unionid, auth.loginType, doc.<path>, now, literals, the operators
// == != < <= > >= in && || ! + and get('database.<collection>.<id>').
package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRuleLength bounds the source of one rule expression.
const MaxRuleLength = 4096

// MaxRuleNodes bounds the size of a parsed expression.
const MaxRuleNodes = 500

// MaxGetCalls bounds get() calls in one rule (each reads a document).
const MaxGetCalls = 5

// SyntaxError reports a malformed rule with its position.
type SyntaxError struct {
	Rule   string // which rule: read, write, create …
	Offset int    // byte offset in the expression
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("rule %q: line %d, column %d: %s", e.Rule, e.Line, e.Column, e.Msg)
}

// Node kinds of an expression.
type nodeKind int

const (
	kLiteral nodeKind = iota
	kPath             // auth.x, doc.a.b, now
	kNot
	kAnd
	kOr
	kCmp
	kAdd
	kGet
	kList
)

type node struct {
	kind  nodeKind
	op    string // comparison operator
	value any    // literal: nil, bool, int64, float64, string
	root  string // path root: auth, doc, now
	segs  []string
	args  []*node
	// for kGet: args[0] is the id expression; segs the path read from the document
	pos int
}

type parser struct {
	src   string
	pos   int
	nodes int
	gets  int
	rule  string
	// resource: a storage rule, whose object is resource (openid, path) instead of doc
	resource bool
}

// parseExpr parses one rule expression.
func parseExpr(rule, src string) (*node, error) {
	return parseExprOf(rule, src, false)
}

// parseExprOf parses one rule expression; with resource, the object of the rule is
// spelled resource.openid / resource.path (storage rules), and doc is unknown.
func parseExprOf(rule, src string, resource bool) (*node, error) {
	if len(src) > MaxRuleLength {
		return nil, &SyntaxError{Rule: rule, Line: 1, Column: 1, Msg: fmt.Sprintf("expression longer than %d bytes", MaxRuleLength)}
	}
	p := &parser{src: src, rule: rule, resource: resource}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.peekToken())
	}
	return n, nil
}

func (p *parser) errorf(format string, args ...any) error {
	line, col := 1, 1
	for i, r := range p.src {
		if i >= p.pos {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Rule: p.rule, Offset: p.pos, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) newNode(k nodeKind) (*node, error) {
	p.nodes++
	if p.nodes > MaxRuleNodes {
		return nil, p.errorf("expression is too large (more than %d terms)", MaxRuleNodes)
	}
	return &node{kind: k, pos: p.pos}, nil
}

func (p *parser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) peekToken() string {
	end := p.pos + 1
	for end < len(p.src) && end-p.pos < 12 && !strings.ContainsRune(" \t\n\r()", rune(p.src[end])) {
		end++
	}
	if end > len(p.src) {
		end = len(p.src)
	}
	return p.src[p.pos:end]
}

func (p *parser) accept(tok string) bool {
	p.space()
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *parser) or() (*node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept("||") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		n, err := p.newNode(kOr)
		if err != nil {
			return nil, err
		}
		n.args = []*node{left, right}
		left = n
	}
	return left, nil
}

func (p *parser) and() (*node, error) {
	left, err := p.comparison()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") {
		right, err := p.comparison()
		if err != nil {
			return nil, err
		}
		n, err := p.newNode(kAnd)
		if err != nil {
			return nil, err
		}
		n.args = []*node{left, right}
		left = n
	}
	return left, nil
}

// unary is a primary with any number of ! before it: as in JavaScript, ! binds
// tighter than + and the comparisons (!doc.a == b is (!doc.a) == b).
func (p *parser) unary() (*node, error) {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:], "!=") {
		p.pos++
		inner, err := p.unary()
		if err != nil {
			return nil, err
		}
		n, err := p.newNode(kNot)
		if err != nil {
			return nil, err
		}
		n.args = []*node{inner}
		return n, nil
	}
	return p.primary()
}

var cmpOps = []string{"==", "!=", "<=", ">=", "<", ">"}

func (p *parser) comparison() (*node, error) {
	left, err := p.sum()
	if err != nil {
		return nil, err
	}
	p.space()
	op := ""
	for _, o := range cmpOps {
		if strings.HasPrefix(p.src[p.pos:], o) {
			op = o
			break
		}
	}
	if op == "" && p.keyword("in") {
		op = "in"
	} else if op != "" {
		p.pos += len(op)
	}
	if op == "" {
		return left, nil
	}
	start := p.pos
	right, err := p.sum()
	if err != nil {
		return nil, err
	}
	n, err := p.newNode(kCmp)
	if err != nil {
		return nil, err
	}
	n.op, n.args, n.pos = op, []*node{left, right}, start
	p.space()
	for _, o := range cmpOps {
		if strings.HasPrefix(p.src[p.pos:], o) {
			return nil, p.errorf("comparisons cannot be chained: use && between them")
		}
	}
	return n, nil
}

// keyword consumes an identifier-like keyword not followed by identifier characters.
func (p *parser) keyword(kw string) bool {
	p.space()
	if !strings.HasPrefix(p.src[p.pos:], kw) {
		return false
	}
	end := p.pos + len(kw)
	if end < len(p.src) && isIdentByte(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) sum() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.accept("+") {
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		n, err := p.newNode(kAdd)
		if err != nil {
			return nil, err
		}
		n.args = []*node{left, right}
		left = n
	}
	return left, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *parser) primary() (*node, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expression ends too early")
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("missing )")
		}
		return n, nil
	case c == '[':
		p.pos++
		n, err := p.newNode(kList)
		if err != nil {
			return nil, err
		}
		if p.accept("]") {
			return n, nil
		}
		for {
			item, err := p.sum()
			if err != nil {
				return nil, err
			}
			if item.kind != kLiteral {
				return nil, p.errorf("list items must be literals")
			}
			n.args = append(n.args, item)
			if p.accept("]") {
				return n, nil
			}
			if !p.accept(",") {
				return nil, p.errorf("expected , or ] in a list")
			}
		}
	case c == '\'' || c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n, err := p.newNode(kLiteral)
		if err != nil {
			return nil, err
		}
		n.value = s
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case isIdentByte(c):
		return p.identifier()
	}
	return nil, p.errorf("unexpected %q", p.peekToken())
}

func (p *parser) str() (string, error) {
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src):
			p.pos++
			switch e := p.src[p.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			b.WriteRune(r)
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) number() (*node, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	isFloat := false
	for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
		if p.src[p.pos] == '.' {
			isFloat = true
		}
		p.pos++
	}
	text := p.src[start:p.pos]
	n, err := p.newNode(kLiteral)
	if err != nil {
		return nil, err
	}
	if !isFloat {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			n.value = i
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		p.pos = start
		return nil, p.errorf("invalid number %q", text)
	}
	n.value = f
	return n, nil
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) identifier() (*node, error) {
	start := p.pos
	name := p.ident()
	switch name {
	case "true", "false", "null":
		n, err := p.newNode(kLiteral)
		if err != nil {
			return nil, err
		}
		switch name {
		case "true":
			n.value = true
		case "false":
			n.value = false
		}
		return n, nil
	case "now":
		n, err := p.newNode(kPath)
		if err != nil {
			return nil, err
		}
		n.root = "now"
		return n, nil
	case "resource":
		if !p.resource {
			break
		}
		n, err := p.newNode(kPath)
		if err != nil {
			return nil, err
		}
		n.root, n.pos = "doc", start // evaluated like doc, on the file's fields
		segs, err := p.pathTail()
		if err != nil {
			return nil, err
		}
		if len(segs) != 1 || (segs[0] != "openid" && segs[0] != "path") {
			p.pos = start
			return nil, p.errorf("use resource.openid (the file's owner) or resource.path (its cloud path)")
		}
		n.segs = segs
		return n, nil
	case "auth", "doc":
		if name == "doc" && p.resource {
			break
		}
		n, err := p.newNode(kPath)
		if err != nil {
			return nil, err
		}
		n.root, n.pos = name, start
		segs, err := p.pathTail()
		if err != nil {
			return nil, err
		}
		if len(segs) == 0 {
			if name == "auth" {
				return n, nil // bare auth: null for a caller who is not signed in
			}
			return nil, p.errorf("doc needs a field, like doc._openid")
		}
		if name == "auth" && segs[0] != "openid" && segs[0] != "uid" && segs[0] != "loginType" && segs[0] != "unionid" {
			p.pos = start
			return nil, p.errorf("unknown auth field %q (use auth.openid or auth.uid)", segs[0])
		}
		n.segs = segs
		return n, nil
	case "get":
		if p.resource {
			p.pos = start
			return nil, p.errorf("get() is not available in storage rules: use auth, resource, now and literals")
		}
		if !p.accept("(") {
			return nil, p.errorf("get needs (…)")
		}
		p.gets++
		if p.gets > MaxGetCalls {
			return nil, p.errorf("at most %d get() calls per rule", MaxGetCalls)
		}
		arg, err := p.sum()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("missing ) after get(…")
		}
		n, err := p.newNode(kGet)
		if err != nil {
			return nil, err
		}
		n.args, n.pos = []*node{arg}, start
		segs, err := p.pathTail()
		if err != nil {
			return nil, err
		}
		n.segs = segs
		return n, nil
	}
	p.pos = start
	if p.resource {
		return nil, p.errorf("unknown name %q (storage rules may use auth, resource, now and literals)", name)
	}
	return nil, p.errorf("unknown name %q (rules may use auth, doc, now, get and literals)", name)
}

// pathTail parses .field and ['field'] selectors after a root.
func (p *parser) pathTail() ([]string, error) {
	var segs []string
	for {
		if p.pos < len(p.src) && p.src[p.pos] == '.' {
			p.pos++
			if p.pos >= len(p.src) || !isIdentByte(p.src[p.pos]) {
				return nil, p.errorf("expected a field name after .")
			}
			segs = append(segs, p.ident())
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '[' {
			p.pos++
			p.space()
			if p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
				s, err := p.str()
				if err != nil {
					return nil, err
				}
				segs = append(segs, s)
			} else {
				start := p.pos
				for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
					p.pos++
				}
				if start == p.pos {
					return nil, p.errorf("expected a string or an index in [ ]")
				}
				segs = append(segs, p.src[start:p.pos])
			}
			if !p.accept("]") {
				return nil, p.errorf("missing ]")
			}
			continue
		}
		return segs, nil
	}
}

var _ = unicode.IsLetter
