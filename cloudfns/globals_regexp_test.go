package cloudfns

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// newRegexpTestVM is a VM with the runtime's guards (globals_regexp.go's hooks
// included) and j, JSON.stringify showing undefined as "<undefined>".
func newRegexpTestVM(t testing.TB) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	newGuards(vm, 64<<20).install()
	if _, err := vm.RunString(`var j = (v) => JSON.stringify(v, (k, x) => x === undefined ? '<undefined>' : x)`); err != nil {
		t.Fatal(err)
	}
	return vm
}

// TestRegexpNamedGroups compares each expression's j(…) with what Node 20.20 prints
// for it (same j). Some cases (no match, global match, no named groups, search and
// test, exec on a non-regexp) passed before too: they check nothing else changed.
func TestRegexpNamedGroups(t *testing.T) {
	if !installRegexpGroups(goja.New()) {
		t.Fatal("goja's RegExp internals are not as globals_regexp.go expects (was goja upgraded?)")
	}
	cases := []struct {
		name, expr, want string
	}{
		{"exec",
			`(() => { const m = /(?<y>\d{4})-(?<m>\d\d)/.exec('on 2024-01!'); return [m, m.index, m.input, m.groups, Object.getPrototypeOf(m.groups) === null, Object.keys(m).sort(), Object.keys(m.groups)] })()`,
			`[["2024-01","2024","01"],3,"on 2024-01!",{"y":"2024","m":"01"},true,["0","1","2","groups","index","input"],["y","m"]]`},
		{"match non-global",
			`'2024-01'.match(/(?<y>\d+)-(?<m>\d+)/).groups`,
			`{"y":"2024","m":"01"}`},
		{"destructuring",
			`(() => { const { groups: { y, m } } = '2024-01'.match(/(?<y>\d+)-(?<m>\d+)/); return [y, m] })()`,
			`["2024","01"]`},
		{"mixed named and unnamed",
			`(() => { const m = '2024-01-02'.match(/(?<y>\d+)-(\d+)-(?<d>\d+)/); return [m, m.groups] })()`,
			`[["2024-01-02","2024","01","02"],{"y":"2024","d":"02"}]`},
		{"unnamed first",
			`(() => { const m = /(\d+)-(?<m>\d+)/.exec('2024-01'); return [m, m.groups] })()`,
			`[["2024-01","2024","01"],{"m":"01"}]`},
		{"named then unnamed",
			`(() => { const m = /(?<a>x)(y)(?<b>z)/.exec('xyz'); return [m, m.groups] })()`,
			`[["xyz","x","y","z"],{"a":"x","b":"z"}]`},
		{"not participating",
			`(() => { const m = /(?<a>x)|(?<b>y)/.exec('y'); return [m, m.groups, Object.keys(m.groups), 'a' in m.groups] })()`,
			`[["y","<undefined>","y"],{"a":"<undefined>","b":"y"},["a","b"],true]`},
		{"no match",
			`[/(?<a>x)/.exec('y'), 'y'.match(/(?<a>x)/), 'y'.match(/(?<a>x)/g)]`,
			`[null,null,null]`},
		{"match global",
			`'a1b2'.match(/(?<l>[a-z])(?<d>\d)/g)`,
			`["a1","b2"]`},
		{"matchAll",
			`[...'a1b2'.matchAll(/(?<l>[a-z])(?<d>\d)/g)].map(m => [m[0], m.index, m.groups])`,
			`[["a1",0,{"l":"a","d":"1"}],["b2",2,{"l":"b","d":"2"}]]`},
		{"matchAll mixed",
			`[...'a1-b2'.matchAll(/(?<l>[a-z])(\d)/g)].map(m => [...m, m.groups])`,
			`[["a1","a","1",{"l":"a"}],["b2","b","2",{"l":"b"}]]`},
		{"matchAll empty matches",
			`[...'ab'.matchAll(/(?<e>)/g)].map(m => [m.index, m.groups])`,
			`[[0,{"e":""}],[1,{"e":""}],[2,{"e":""}]]`},
		{"replace $<name>",
			`'2024-01'.replace(/(?<y>\d+)-(?<m>\d+)/, '$<m>/$<y>')`,
			`"01/2024"`},
		{"replaceAll $<name>",
			`'2024-01 1999-12'.replaceAll(/(?<y>\d+)-(?<m>\d+)/g, '$<m>/$<y>')`,
			`"01/2024 12/1999"`},
		{"replace numbered mixed",
			`['2024-01'.replace(/(?<y>\d+)-(\d+)/, '$2/$1'), '2024-01'.replace(/(\d+)-(?<m>\d+)/, '$2/$1/$<m>')]`,
			`["01/2024","01/2024/01"]`},
		{"replace callback arguments",
			`'x2024-01'.replace(/(?<y>\d+)-(?<m>\d+)/, (...a) => j(a))`,
			`"x[\"2024-01\",\"2024\",\"01\",1,\"x2024-01\",{\"y\":\"2024\",\"m\":\"01\"}]"`},
		{"replace callback groups",
			`'2024-01 1999-12'.replace(/(?<y>\d+)-(?<m>\d+)/g, (...args) => { const { y, m } = args.at(-1); return m + '/' + y })`,
			`"01/2024 12/1999"`},
		{"replace callback not participating",
			`'xy'.replace(/(?<a>x)|(?<b>q)/g, (...args) => j(args))`,
			`"[\"x\",\"x\",\"<undefined>\",0,\"xy\",{\"a\":\"x\",\"b\":\"<undefined>\"}]y"`},
		{"replace callback without named groups",
			`'xy'.replace(/(x)/, (...args) => j(args))`,
			`"[\"x\",\"x\",0,\"xy\"]y"`},
		{"substitutions",
			`['$<a>', '$<b>', '$<c>', '$<a', '$<>', '$$<a>', '$1$2$3', '$01$02$03', '$12', '$0', '$00', '$10', '$&', "$\x60|$'", '$', 'a$', '$<toString>', '$<a>$<a>', '$<__proto__>', '<$<a>>'].map(c => 'wxz'.replace(/(?<a>x)(?<b>y)?/, c))`,
			`["wxz","wz","wz","w$<az","wz","w$<a>z","wx$3z","wx$03z","wx2z","w$0z","w$00z","wx0z","wxz","ww|zz","w$z","wa$z","wz","wxxz","wz","w<x>z"]`},
		{"substitutions many groups",
			`['$10', '$011', '$13', '$1a', '$12x', '$<a>1', '$<l>$<a>'].map(c => 'abcdefghijklm'.replace(/(?<a>a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(?<l>l)/, c))`,
			`["jm","a1m","a3m","aam","lxm","a1m","lam"]`},
		{"$<name> without named groups",
			`['ab'.replace(/(a)/, '$<x>'), 'ab'.replace('a', '$<x>'), 'ab'.replace(/a/g, '[$<x>]')]`,
			`["$<x>b","$<x>b","[$<x>]b"]`},
		{"backreference by name",
			`(() => { const m = /(?<q>['"]).*?\k<q>/.exec('say "hi" now'); return [m, m.groups] })()`,
			`[["\"hi\"","\""],{"q":"\""}]`},
		{"backreference by name then digit",
			`[/(?<a>\d)\k<a>1/.exec('3312'), /(?<a>\d)\k<a>1/.exec('3321')]`,
			`[["331","3"],null]`},
		{"numeric backreference mixed",
			`[/(?<a>x)(y)\1/.exec('xyx'), /(?<a>x)(y)\1/.exec('xyy'), 'xyx-xyy'.replace(/(?<a>x)(y)\1/g, '[$<a>]')]`,
			`[["xyx","x","y"],null,"[x]-xyy"]`},
		{"exec loop lastIndex",
			`(() => { const re = /(?<n>\d)/g; const out = []; let m; while ((m = re.exec('a1b2c3')) !== null) out.push([m.groups.n, m.index, re.lastIndex]); return [out, re.lastIndex] })()`,
			`[[["1",1,2],["2",3,4],["3",5,6]],0]`},
		{"sticky",
			`(() => { const re = /(?<n>\d)/y; re.lastIndex = 1; const m = re.exec('a1b'); return [m.groups, re.lastIndex, re.exec('a1b'), re.lastIndex] })()`,
			`[{"n":"1"},2,null,0]`},
		{"lastIndex untouched without g or y",
			`(() => { const re = /(?<n>\d)/; re.lastIndex = 7; const a = re.exec('a1').groups.n, b = 'a2'.match(re).groups.n, c = 'a3'.replace(re, '$<n>$<n>'); return [a, b, c, re.lastIndex] })()`,
			`["1","2","a33",7]`},
		{"replace resets lastIndex",
			`(() => { const re = /(?<d>\d)/g; re.lastIndex = 3; const r = 'a1b2'.replace(re, '<$<d>>'); return [r, re.lastIndex] })()`,
			`["a<1>b<2>",0]`},
		{"replace sticky",
			`(() => { const re = /(?<d>\d)/y; re.lastIndex = 1; return ['a1b2'.replace(re, '<$<d>>'), re.lastIndex, 'a1b2'.replace(re, '<$<d>>'), re.lastIndex] })()`,
			`["a<1>b2",2,"a1b2",0]`},
		{"split",
			`['a1-b2'.split(/(?<l>[a-z])(\d)/), 'a1-b2'.split(/-(?<x>)/), 'a,b,c'.split(/(?<c>,)/, 2)]`,
			`[["","a","1","-","b","2",""],["a1","","b2"],["a",","]]`},
		{"escapes, classes, lookarounds",
			`(() => { const a = /\((?<inner>[^)(]*)\)[(](?:x)(?<z>z)/.exec('(ab)(xz'); const b = /(?<=\$)(?<amt>\d+)(?=USD)(?!x)(?<!y)/.exec('$42USD'); const c = /[\](?<n>]+(?<m>x)/.exec('](x'); return [a, a.groups, b, b.groups, c, c.groups] })()`,
			`[["(ab)(xz","ab","z"],{"inner":"ab","z":"z"},["42","42"],{"amt":"42"},["](x","x"],{"m":"x"}]`},
		{"named group in lookbehind",
			`(() => { const m = /(?<=(?<c>[a-z]))\d/.exec('a1'); return [m, m.groups] })()`,
			`[["1","a"],{"c":"a"}]`},
		{"new RegExp",
			`'one two'.replace(new RegExp('(?<w>\\w+)', 'g'), (m, p1, off, s, g) => g.w.toUpperCase())`,
			`"ONE TWO"`},
		{"astral characters",
			`(() => { const a = /(?<e>😀)(?<n>\d)/u.exec('a😀1'); const b = /(?<e>.)(?<n>\d)/.exec('😀1'); return [a.index, a.groups, b.index, b.groups] })()`,
			`[1,{"e":"😀","n":"1"},1,{"e":"\ude00","n":"1"}]`},
		{"ignoreCase multiline dotAll",
			`[/(?<w>HELLO)/i.exec('say hello').groups, /^(?<l>b.)$/m.exec('a\nb!').groups, /(?<all>a.b)/s.exec('a\nb').groups]`,
			`[{"w":"hello"},{"l":"b!"},{"all":"a\nb"}]`},
		{"non-BMP input without u",
			`(() => { const m = '日本2024年'.match(/(?<y>\d+)年/); return [m.index, m.groups] })()`,
			`[2,{"y":"2024"}]`},
		{"search and test",
			`['x2024'.search(/(?<y>\d+)/), /(?<y>\d+)/.test('x1'), /(?<y>\d+)/.test('x')]`,
			`[1,true,false]`},
		{"exec on a non-regexp",
			`(() => { try { RegExp.prototype.exec.call({}, 'x') } catch (e) { return e instanceof TypeError } })()`,
			`true`},
		{"methods look built in",
			`[RegExp.prototype.exec.name, RegExp.prototype.exec.length, RegExp.prototype[Symbol.replace].name, RegExp.prototype[Symbol.replace].length, RegExp.prototype[Symbol.match].name, RegExp.prototype[Symbol.split].length, Object.getOwnPropertyDescriptor(RegExp.prototype, 'exec').enumerable, Object.getOwnPropertyDescriptor(RegExp.prototype, Symbol.match).writable]`,
			`["exec",1,"[Symbol.replace]",2,"[Symbol.match]",2,false,true]`},
		{"subclass exec",
			`(() => { class R extends RegExp {} const m = new R('(?<a>x)(y)').exec('xy'); return [m, m.groups] })()`,
			`[["xy","x","y"],{"a":"x"}]`},
		{"user exec override still called",
			`(() => { const orig = RegExp.prototype.exec; let calls = 0; RegExp.prototype.exec = function (s) { calls++; return orig.call(this, s) }; try { return ['aXbX'.replace(/X/g, '-'), 'aXb'.match(/X/)[0], calls] } finally { RegExp.prototype.exec = orig } })()`,
			`["a-b-","X",4]`},
		{"callback throws",
			`(() => { try { 'x'.replace(/(?<a>x)/, () => { throw new Error('boom') }) } catch (e) { return e.message } })()`,
			`"boom"`},
		{"group names",
			`[/(?<constructor>a)(?<a1>b)(?<_e>c)(?<ü>d)(?<中文>e)/.exec('abcde').groups, Object.keys(/(?<__proto__>a)/.exec('a').groups)]`,
			`[{"constructor":"a","a1":"b","_e":"c","ü":"d","中文":"e"},["__proto__"]]`},
		{"groups per match",
			`(() => { const ms = [...'a1b2'.matchAll(/(?<d>\d)/g)]; ms[0].groups.d = 'changed'; return [ms[0].groups !== ms[1].groups, ms[1].groups.d] })()`,
			`[true,"2"]`},
		{"empty matches",
			`['abc'.replace(/(?<e>)/g, '-'), 'abc'.replace(/(?<e>)/g, (...a) => a[1] === '' ? '+' : '?')]`,
			`["-a-b-c-","+a+b+c+"]`},
		{"without named groups",
			`(() => { const m = '2024-01'.match(/(\d+)-(\d+)/); return [m, m.groups, '2024-01'.replace(/(\d+)-(\d+)/, '$2/$1'), /(?<=a)b/.exec('ab'), /(?<!a)b/.exec('cb')] })()`,
			`[["2024-01","2024","01"],"<undefined>","01/2024",["b"],["b"]]`},
		{"property escapes",
			`[/\p{L}+/u.test('你好'), 'héllo wörld 123'.match(/\p{L}+/gu), /^\p{Script=Han}+$/u.test('中文'), /\p{sc=Hani}/u.test('a'), /^\p{L}$/u.test('𝒜'), /\p{So}/u.test('😀'), /^\p{ID_Start}\p{ID_Continue}*$/u.test('变量1'), /\p{L}/.test('p{L}'), /\p{L}/.test('é')]`,
			`[true,["héllo","wörld"],true,false,true,true,true,true,false]`},
		{"property escapes in classes",
			`[/[\p{L}\d_]+/u.exec('-- ab_1é --')[0], /\P{L}+/u.exec('ab12cd')[0], /[^\p{L}]+/u.exec('ab12cd')[0], /[\P{L}]+/u.exec('ab12cd')[0], /[^\P{L}]+/u.exec('12ab34')[0], /[\p{N}\p{sc=Greek}]+/u.exec('xx1αβ2yy')[0]]`,
			`["ab_1é","12","12","12","ab","1αβ2"]`},
		{"property names",
			`['\\p{gc=Nd}', '\\p{General_Category=Decimal_Number}', '\\p{digit}', '\\p{White_Space}', '\\p{space}', '\\p{ASCII}', '\\p{Any}', '\\p{Lu}', '\\p{Uppercase}', '\\p{Alpha}', '\\p{Script=Latin}', '\\p{sc=Cyrl}', '\\P{Assigned}', '\\p{Unified_Ideograph}', '\\p{LC}', '\\p{Other}'].map(p => [...'aZ5 é中Я\t'].filter(c => new RegExp(p, 'u').test(c)).join(''))`,
			`["5","5","5"," \t"," \t","aZ5 \t","aZ5 é中Я\t","ZЯ","ZЯ","aZé中Я","aZé","Я","","中","aZéЯ","\t"]`},
		{"property escapes everywhere",
			`(() => { const re = /\p{N}/gu; const t = re.test('a1b2'); return [t, re.lastIndex, 'a1b2'.replace(/\p{N}/gu, '#'), 'a1b2c'.split(/\p{N}/u), 'ab中'.search(/\p{sc=Han}/u), [...'a1b22'.matchAll(/\p{N}+/gu)].map(m => m[0]), /(?<w>\p{L}+)-(?<n>\p{N}+)/u.exec('ab-12').groups, /\p{Lu}/iu.test('a'), /(?=\p{L})\p{Ll}/u.exec('1Ab')[0]] })()`,
			`[true,2,"a#b#",["a","b","c"],2,["1","22"],{"w":"ab","n":"12"},true,"b"]`},
		{"reentrant use",
			`(() => { const re = /(?<d>\d)/g; const r = 'a1b2'.replace(re, (m, d) => { const inner = re.exec('x9y8'); return '[' + d + (inner && inner.groups.d) + ']' }); const li = re.lastIndex; const arg = { toString() { re.lastIndex = 3; return 'a1b2c3' } }; const m = re.exec(arg); const n = 'a1b2'.replace(/(?<d>\d)/g, (m, d) => 'x9'.replace(/(?<d>\d)/g, '<$<d>' + d + '>')); return [r, li, m.index, m.groups.d, re.lastIndex, n] })()`,
			`["a[19]b[28]",4,3,"2",4,"ax<91>bx<92>"]`},
		{"lastIndex conversions",
			`(() => { const re = /(?<d>\d)/y; re.lastIndex = '1'; const a = re.exec('a1'); const re2 = /(?<d>\d)/g; re2.lastIndex = { valueOf() { return 2 } }; const b = re2.exec('1a2'); return [a.groups.d, re.lastIndex, b.index, re2.lastIndex] })()`,
			`["1",2,2,3]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vm := newRegexpTestVM(t)
			v, err := vm.RunString("j(" + c.expr + ")")
			if err != nil {
				t.Fatalf("%s: %v", c.expr, err)
			}
			if got := v.String(); got != c.want {
				t.Errorf("%s\ngot  %s\nwant %s", c.expr, got, c.want)
			}
		})
	}
}

// BenchmarkRegexpReplace times regexp operations on goja as is ("goja") and with
// the hooks of globals_regexp.go ("hooked"), for patterns without and with named
// groups (the last line: without and with a property escape; goja alone gets
// \p{L} wrong).
func BenchmarkRegexpReplace(b *testing.B) {
	const s = `'the quick brown fox 2024-01-02 jumps over the lazy dog 1999-12-31 ok'`
	ops := []struct{ name, plain, named string }{
		{"replace", `s.replace(/(\d+)-(\d+)/g, '$2/$1')`, `s.replace(/(?<y>\d+)-(?<m>\d+)/g, '$<m>/$<y>')`},
		{"replace-fn", `s.replace(/(\d+)-(\d+)/g, (m, y, mo) => mo + y)`, `s.replace(/(?<y>\d+)-(?<m>\d+)/g, (...a) => a.at(-1).m + a.at(-1).y)`},
		{"match", `s.match(/(\d+)-(\d+)/)`, `s.match(/(?<y>\d+)-(?<m>\d+)/)`},
		{"exec", `/(\d+)-(\d+)/.exec(s)`, `/(?<y>\d+)-(?<m>\d+)/.exec(s)`},
		{"test", `/fox/.test(s)`, `/(?<f>fox)/.test(s)`},
		{"search", `s.search(/\d{4}/)`, `s.search(/(?<y>\d{4})/)`},
		{"split", `s.split(/\s+/)`, `s.split(/(?<sp>\s)+/)`},
		{"property", `/[A-Za-z]+/u.test(s)`, `/\p{L}+/u.test(s)`},
	}
	for _, op := range ops {
		for _, kind := range []string{"plain", "named"} {
			src := op.plain
			if kind == "named" {
				src = op.named
			}
			for _, hooked := range []bool{false, true} {
				name := op.name + "/" + kind + "/goja"
				if hooked {
					name = op.name + "/" + kind + "/hooked"
				}
				b.Run(name, func(b *testing.B) {
					vm := goja.New()
					if hooked && !installRegexpGroups(vm) {
						b.Fatal("not installed")
					}
					fv, err := vm.RunString(`(function () { const s = ` + s + `; return function () { return ` + src + ` } })()`)
					if err != nil {
						b.Fatal(err)
					}
					f, _ := goja.AssertFunction(fv)
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if _, err := f(goja.Undefined()); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkRegexpLookup is the per-call cost the hooks add for a pattern with nothing
// to rewrite (and for one with named groups or a property escape, from the cache).
func BenchmarkRegexpLookup(b *testing.B) {
	for _, src := range []string{`/(\d+)-(\d+)/g`, `/^(?=.*\d)(?=.*[a-z])[\w.-]{8,64}$/`, `/[a-z]+/u`, `/(?<y>\d+)-(?<m>\d+)/g`, `/\p{L}+/u`} {
		b.Run(src, func(b *testing.B) {
			vm := goja.New()
			if !installRegexpGroups(vm) {
				b.Fatal("not installed")
			}
			rx, err := vm.RunString(src)
			if err != nil {
				b.Fatal(err)
			}
			st := &rxState{vm: vm, l: regexpLayout(vm), cache: map[rxKey]*rxInfo{}}
			st.ctor, _ = goja.AssertConstructor(vm.Get("RegExp"))
			b.ReportAllocs()
			for range b.N {
				st.lookup(rx)
			}
		})
	}
}

// TestRegexpParseGroups checks the group numbering; the group counts and names are
// Node's (new RegExp(src + '|').exec(”) and its groups).
func TestRegexpParseGroups(t *testing.T) {
	cases := []struct {
		src      string
		names    []string
		stripped string
	}{
		{`(a)(?<x>b)`, []string{"", "x"}, `(a)(b)`},
		{`\((?<x>b)\)`, []string{"x"}, `\((b)\)`},
		{`[(](?<x>b)[)]`, []string{"x"}, `[(](b)[)]`},
		{`[\]()](?<x>b)`, []string{"x"}, `[\]()](b)`},
		{`(?:a)(?=b)(?!c)(?<=d)(?<!e)(?<x>f)`, []string{"x"}, `(?:a)(?=b)(?!c)(?<=d)(?<!e)(f)`},
		{`((?<x>a)(b))`, []string{"", "x", ""}, `((a)(b))`},
		{`\\(?<x>a)`, []string{"x"}, `\\(a)`},
		{`\\\((?<x>a)`, []string{"x"}, `\\\((a)`},
		{`(?<x>a)\k<x>(b)`, []string{"x", ""}, `(a)(?:\1)(b)`},
		{`(b)(?<x>a)\k<x>1`, []string{"", "x"}, `(b)(a)(?:\2)1`},
		{`[(?<x>a)]`, nil, `[(?<x>a)]`},
		{`a\[(?<x>b)]`, []string{"x"}, `a\[(b)]`},
		{`[[](?<x>a)`, []string{"x"}, `[[](a)`},
		{`(?<x>a)|(?<y>b)`, []string{"x", "y"}, `(a)|(b)`},
		{`[^]](?<x>a)`, []string{"x"}, `[^]](a)`},
		{`[]](?<x>a)`, []string{"x"}, `[]](a)`},
		{`(?<x>[(?<y>])(?<z>\))`, []string{"x", "z"}, `([(?<y>])(\))`},
	}
	for _, c := range cases {
		names, edits := parseGroups(c.src, false)
		if !reflect.DeepEqual(names, c.names) {
			t.Errorf("%s: names %q, want %q", c.src, names, c.names)
			continue
		}
		index := map[string]int{}
		for i, n := range names {
			if n != "" {
				index[n] = i + 1
			}
		}
		if got, msg := rewritePattern(c.src, edits, index); msg != "" || got != c.stripped {
			t.Errorf("%s: stripped %q, want %q", c.src, got, c.stripped)
		}
	}
	for src, want := range map[string]bool{`(?<x>a)`: true, `a(?<=b)(?<!c)`: false, `<(?:a)>`: false, `(?<`: false, `x(?<=a)(?<y>b)`: true, `\d+`: false} {
		if mayHaveNames(src) != want {
			t.Errorf("mayHaveNames(%s) = %v", src, !want)
		}
	}
	for src, want := range map[string]bool{`\p{L}`: true, `a{2}\P{Lu}`: true, `p{L}`: false, `\\p`: false, `{`: false, `\d{2}`: false} {
		if mayHaveProps(src) != want {
			t.Errorf("mayHaveProps(%s) = %v", src, !want)
		}
	}
	// Under the u flag, property escapes become classes (in a class, their ranges).
	hex := `\u{30}-\u{39}\u{41}-\u{46}\u{61}-\u{66}`
	for src, want := range map[string]string{
		`\p{AHex}+`:              `[` + hex + `]+`,
		`\P{ASCII_Hex_Digit}`:    `[^` + hex + `]`,
		`[_\p{AHex}]`:            `[_` + hex + `]`,
		`[\P{ASCII}]`:            `[\u{80}-\u{10ffff}]`,
		`(?<h>\p{Any})\\p{AHex}`: `([\u{0}-\u{10ffff}])\\p{AHex}`,
	} {
		_, edits := parseGroups(src, true)
		if got, msg := rewritePattern(src, edits, map[string]int{"h": 1}); msg != "" || got != want {
			t.Errorf("%s: got %q (%s), want %q", src, got, msg, want)
		}
	}
}

// TestRegexpNamedGroupsFunction goes through a deployed function, as users' code does.
func TestRegexpNamedGroupsFunction(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("regexp", map[string]string{"index.js": `
		const DATE = /(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})/;
		exports.main = async (event) => {
			const { groups: { y, m } } = event.date.match(DATE);
			const all = [...event.text.matchAll(/(?<k>\w+)=(?<v>\w*)/g)].map(x => [x.groups.k, x.groups.v]);
			return {
				y, m,
				us: event.date.replace(DATE, '$<m>/$<d>/$<y>'),
				fn: event.date.replace(DATE, (...args) => { const g = args.at(-1); return g.d + '.' + g.m + '.' + g.y }),
				all,
				exec: DATE.exec('on 1999-12-31').groups,
				han: [/^\p{Script=Han}+$/u.test(event.name), event.name.replace(/\P{L}/gu, '')],
			};
		};`})
	jsonEq(t, mustSucceed(t, call(r, v, `{"date":"2024-01-15","text":"a=1&b=&c=x","name":"小程序"}`)),
		`{"y":"2024","m":"01","us":"01/15/2024","fn":"15.01.2024","all":[["a","1"],["b",""],["c","x"]],"exec":{"y":"1999","m":"12","d":"31"},"han":[true,"小程序"]}`)
}

// TestRegexpFastPathsKept checks that goja still takes its fast paths for standard
// regexps once exec is replaced (they do not read "flags"; the generic ones do), and
// that user code replacing exec still turns them off.
func TestRegexpFastPathsKept(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("regexp-fast", map[string]string{"index.js": `
		exports.main = async () => {
			const d = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags');
			let reads = 0;
			Object.defineProperty(RegExp.prototype, 'flags', { get() { reads++; return d.get.call(this) }, configurable: true });
			const run = () => ['aXbX'.replace(/X/g, '-'), 'aXb'.match(/X/g), 'a,b'.split(/,/), 'a1b2'.replace(/(?<d>\d)/g, '<$<d>>')];
			const fast = [run(), reads];
			const exec = RegExp.prototype.exec;
			let calls = 0;
			RegExp.prototype.exec = function (s) { calls++; return exec.call(this, s) };
			const slow = [run(), reads > 0, calls > 0];
			return [fast, slow];
		};`})
	// In the generic paths (exec replaced) goja knows no $<name>: see globals_regexp.go.
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)),
		`[[["a-b-",["X"],["a","b"],"a<1>b<2>"],0],[["a-b-",["X"],["a","b"],"a<$<d>>b<$<d>>"],true,true]]`)
}

// TestRegexpUnsupportedProperty: a property Go has no table for throws a SyntaxError
// when the regexp is used (Node knows Emoji and Script_Extensions; it rejects Foo
// when compiling).
func TestRegexpUnsupportedProperty(t *testing.T) {
	vm := newRegexpTestVM(t)
	for _, src := range []string{`/\p{Emoji}/u.test('😀')`, `new RegExp('[\\p{scx=Han}]', 'u').exec('x')`, `'x'.replace(/\P{Foo}/gu, '')`} {
		v, err := vm.RunString(`(() => { try { ` + src + `; return 'no error' } catch (e) { return e.name + ': ' + e.message } })()`)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.String(); !strings.HasPrefix(got, "SyntaxError: Invalid regular expression: /") || !strings.Contains(got, "is not supported") {
			t.Errorf("%s: %s", src, got)
		}
	}
}

// BenchmarkRegexpPropertyFirstUse is the cost of a property escape's first use in a
// VM (building and compiling the twin's class).
func BenchmarkRegexpPropertyFirstUse(b *testing.B) {
	for _, p := range []string{`\p{L}`, `\p{sc=Han}`, `[^\P{Alphabetic}\d]`} {
		b.Run(p, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				vm := goja.New()
				installRegexpGroups(vm)
				b.StartTimer()
				if _, err := vm.RunString(`/` + p + `/u.test('x')`); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
