namespace PoFT.Tests.Chat.Jinja;

/// <summary>
/// Small templates, one feature each (with its corner cases), that the C# renderer must render exactly as
/// Python's jinja2 does under transformers' settings.
/// </summary>
public static class JinjaFeatureCases
{
    private const string Values = """
        {"xs": [1, 2, 3, 4], "d": {"a": 1, "b": [2, 3], "c": null}, "m": {"role": "user", "content": " Hi "}, "x": 2,
        "s": " \u001c\u001f\u0085\u3000 padded text \t\n\u000b\f\r", "msgs": [{"role": "system", "content": "S", "n": 1}, {"role": "user", "content": "U1", "n": 2},
        {"role": "assistant", "content": "A1", "n": 3, "tool_calls": [{"function": {"name": "f"}}]}, {"role": "user", "content": "U2", "n": 4}],
        "values": [null, true, false, 0, 1, 1.5, "s", [], {}, [1], -2, 2.0]}
        """;

    public static readonly IReadOnlyList<JinjaCase> All =
    [
        // ---- Whitespace control: trim_blocks, lstrip_blocks, '-', '+', comments, newlines ----
        new("trim-blocks", "{% if true %}\nyes\n{% endif %}\nafter\n", "{}"),
        new("lstrip-blocks", "  {% if true %}\n  x\n  {% endif %}\n  y\n\t{# note #}\nz", "{}"),
        new("minus-control", "a  {%- if true -%}  \n b {{- ' c ' -}} d {%- endif %} {#- x -#} e\n {{ 'f' }}  \n  {%- if true %} g{% endif -%}\n\n h", "{}"),
        new("plus-control", "  {%+ if true %}x{% endif +%}\n  z\n  {%+ if true +%}\ny{% endif %}", "{}"),
        new("print-not-lstripped", "  {{ 'x' }}\n  {{ 'y' }}  \n", "{}"),
        new("trailing-newlines", "a\n\n", "{}"),
        new("crlf-source", "{% if true %}\r\nA\r\n{% endif %}\r\nB\r\n  {% if true %}\rC\r{% endif %}\r\n", "{}"),
        new("braces-in-text", "a { b } {{ '{' }} }} %} #} end", "{}"),
        new("dict-literal-balancing", "{{ {'a': {'b': [1, {'c': 2}]}} }}{{ {'k': 'v'}['k'] }}", "{}"),
        new("multiline-tags", "{{\n  'a'\n  ~ 'b'\n}}{%\n  if true\n%}\nc{% endif %}", "{}"),
        new("unicode-whitespace-before-minus", "x\u3000\u00a0 \n{%- if true %}y{% endif %}\u3000{{- 'z' }}", "{}"),

        // ---- Literals and printing (Python's str and repr) ----
        new("literals", "{{ none }}|{{ None }}|{{ true }}|{{ False }}|{{ 1 }}|{{ 1.0 }}|{{ 1.5e3 }}|{{ 0.1 }}|{{ 1e20 }}|{{ 1e-7 }}|{{ 1_000 }}|{{ 12345678901234567.0 }}|{{ 0.0001 }}|{{ 123.456 }}|{{ 2.5E-5 }}", "{}"),
        new("containers-repr", "{{ [1, 'a', none, true, 0.1, [], {}] }}|{{ {'k': \"it's\", 'n': 1, 2: 'two'} }}|{{ (1,) }}|{{ () }}|{{ (1, 2) }}|{{ 1, 'b' }}", "{}"),
        new("string-repr", """{{ ['é', '\n', '\x01', '😀', '\u200b', "'", '"', "'\"", '\\', '\x7f', '\xa0', '\t'] }}""", "{}"),
        new("string-escapes", """{{ 'a\nb\tc\u00e9\x41\101\d\U0001F600' }}|{{ "it's" }}|{{ 'x' "y" 'z' }}|{{ 'q\'s' }}""", "{}"),
        new("input-values-repr", "{{ d }}|{{ values }}|{{ m }}", Values),

        // ---- Variables, attributes, items, slices ----
        new("attribute-and-item", "{{ m.role }} {{ m['role'] }} [{{ m.missing }}] {{ m.missing is defined }} {{ xs[0] }} {{ xs[-1] }} [{{ xs[5] }}] {{ xs.0 }} {{ d.b.1 }} {{ d['b'][-2] }}", Values),
        new("undefined-renders-empty", "[{{ nothing }}] [{{ nothing | string }}] {{ nothing is defined }} {{ nothing is undefined }} [{{ d.zz }}] [{% for a in nothing %}{{ a }}{% endfor %}]", Values),
        new("string-items", "{{ 'abc'[1] }} {{ 'héllo😀x'[5] }} {{ 'héllo😀x'[6] }} {{ 'abc'[-1] }} [{{ 'abc'[9] }}]", "{}"),
        new("dict-methods", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 5) }} {{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('b')[0] }}", Values),
        new("slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::2] }} {{ xs[::-1] }} {{ xs[-2:] }} {{ 'hello'[1:3] }} {{ 'a😀b😀c'[::-1] }} {{ xs[5:] }} {{ xs[1:10:3] }} {{ xs[-10:2] }} {{ xs[3:0:-1] }} {{ (1, 2, 3)[1:] }} {{ msgs[1:] | length }}", Values),
        new("list-methods", "{{ xs.index(3) }} {{ xs.count(1) }} {{ [1, 1.0, true].count(1) }}", Values),

        // ---- Arithmetic, concatenation, precedence ----
        new("arithmetic", "{{ 1 + 2 }} {{ 1 + 2.0 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7.5 % 2 }} {{ -7.5 // 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2.0 ** 0.5 }}", "{}"),
        new("arithmetic-mixed", "{{ 'a' * 3 }} {{ 3 * 'ab' }} {{ [1] * 2 }} {{ [1] + [2] }} {{ (1,) + (2,) }} {{ true + 1 }} {{ 0.1 + 0.2 }} {{ 10 / 3 }} {{ -3 }} {{ - -3 }} {{ +4 }} {{ 1e308 * 10 }} {{ 'ab' * 0 }}", "{}"),
        new("concat", "{{ 'a' ~ 1 ~ none ~ true ~ 1.0 ~ [1, 'b'] ~ {'k': none} ~ nothing }}", "{}"),
        new("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 * 3 ~ 4 }} {{ 1 ~ 2 * 3 }} {{ not true or true }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ 1 + 1 is even }} {{ -x | abs }} [{{ 'x' if false }}] {{ 'a' if 1 > 2 else 'b' if 2 > 1 else 'c' }} {{ 10 - 2 - 3 }} {{ 100 / 10 / 5 }}", Values),

        // ---- Comparisons, membership, logic, truthiness ----
        new("comparisons", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ none == none }} {{ nothing == none }} {{ [1] == [1.0] }} {{ {'a': 1} == {'a': 1.0} }} {{ 'a' != 'a' }} {{ 2 >= 2.0 }} {{ '\uffff' < '😀' }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }}", Values),
        new("membership", "{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 1 in [1, 2] }} {{ 1.0 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'role' in m }} {{ 'tool_calls' in msgs[2] }} {{ 'tool_calls' in msgs[1] }} {{ 3 in nothing }} {{ not 'x' in 'xyz' }}", Values),
        new("logic-returns-operands", "{{ 0 or 'x' }} {{ 1 and 'y' }} [{{ '' and 'z' }}] {{ none or [] }} {{ not [] }} {{ nothing or 'fallback' }} {{ 'a' and 'b' or 'c' }}", Values),
        new("truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, none, 0.0, false, ' '] %}{{ 'T' if v else 'F' }}{% endfor %}{{ 'T' if nothing else 'F' }}{{ 'T' if values else 'F' }}", Values),

        // ---- if / for ----
        new("if-elif-else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}other{% endif %} {% endfor %}", "{}"),
        new("loop-variables", "{% for a in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}[{{ loop.previtem }}|{{ loop.nextitem }}]{{ loop.depth }}{% endfor %}", Values),
        new("loop-else", "{% for a in [] %}x{% else %}empty{% endfor %}{% for a in [1] %}x{% else %}empty{% endfor %}{% for a in nothing %}x{% else %}undefined is empty{% endfor %}", "{}"),
        new("loop-unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in d | items %}{{ k }};{% endfor %}{% for (a, b), c in [((1, 2), 3)] %}{{ a }}{{ b }}{{ c }}{% endfor %}", Values),
        new("loop-inline-filter", "{% for x in xs if x is odd %}{{ x }}{{ loop.index }}/{{ loop.length }} {% endfor %}{% for m in msgs if m.role != 'system' %}{{ loop.first }}{{ m.content }}{% endfor %}", Values),
        new("break-continue", "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}|{% for x in xs %}{% for y in xs %}{% if y > x %}{% break %}{% endif %}{{ y }}{% endfor %};{% endfor %}", Values),
        new("iterate-dict-and-string", "{% for k in d %}{{ k }}{% endfor %}{% for c in 'a😀b' %}[{{ c }}]{% endfor %}{% for t in (1, 'x') %}{{ t }}{% endfor %}", Values),
        new("nested-loop-shadowing", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}|{% endfor %}", "{}"),
        new("loop-scoping", "{% set x = 1 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i * 10 %}({{ x }}){% endfor %}{{ x }}{% if true %}{% set y = 3 %}{% endif %}{{ y }}{% for i in [1] %}{% set z = 5 %}{% endfor %}[{{ z }}]", "{}"),
        new("loop-cycle-changed", "{% for i in range(5) %}{{ loop.cycle('a', 'b', 'c') }}{% endfor %} {% for v in [1, 1, 2, 2, 1] %}{{ loop.changed(v) }},{% endfor %}", "{}"),
        new("range", "{{ range(3) | list }} {% for i in range(1, 10, 3) %}{{ i }}{% endfor %} {% for i in range(5, 0, -2) %}{{ i }}{% endfor %} {{ range(0) | list }} {{ range(3, 1) | list }}", "{}"),

        // ---- set, namespace, macros, call, filter blocks, with ----
        new("set-forms", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}{% set x %}  hi {{ 1 }}\n{% endset %}[{{ x }}]{% set y | upper | trim %} abc {% endset %}[{{ y }}]", "{}"),
        new("namespace", "{% set ns = namespace(count=0, items=[], flag=false) %}{% for m in xs %}{% set ns.count = ns.count + m %}{% set ns.items = ns.items + [m] %}{% if m > 2 %}{% set ns.flag = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.items }} {{ ns.flag }} {{ ns['count'] }} [{{ ns.missing }}] {% set n2 = namespace({'a': 1}, b=2) %}{{ n2.a }}{{ n2.b }}", Values),
        new("macros", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(name='C') }} {{ greet('D', punct='.') }} [{{ greet() }}]", "{}"),
        new("macro-closure-and-recursion", "{% set g = 'G' %}{% macro m() %}{{ g }}{% set g = 'local' %}{{ g }}{% endmacro %}{{ m() }}{{ g }} {% macro r(n) %}{% if n > 0 %}{{ n }}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(3) }}", "{}"),
        new("macro-varargs-kwargs", "{% macro v(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ v(1, 2, 3, k=4) }}", "{}"),
        new("call-blocks", "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}inner{% endcall %}{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(item) each([1, 2]) %}<{{ item }}>{% endcall %}", "{}"),
        new("filter-block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}{% filter replace('a', 'b') | title %}aaa xa{% endfilter %}", "{}"),
        new("block-scoping", "{% set x %}{% set y = 1 %}{% endset %}[{{ y }}]{% filter upper %}{% set z = 2 %}{% endfilter %}[{{ z }}]{% generation %}{% set w = 3 %}{{ w }}{% endgeneration %}[{{ w }}]{% for i in [1] %}{% generation %}{{ i }}{% endgeneration %}{% endfor %}", "{}"),
        new("with-block", "{% set a = 0 %}{% with a = 1, b = a %}{{ a + b }}{% endwith %}{{ a }}", "{}"),
        new("generation-spans", "{% for m in msgs %}{{ m.role }}: {% if m.role == 'assistant' %}{% generation %}{{ m.content }}é😀<eos>{% endgeneration %}{% else %}{{ m.content }}{% endif %}\n{% endfor %}{% generation %}{% endgeneration %}tail", Values),

        // ---- Filters ----
        new("filter-trim", "[{{ '  a b \n' | trim }}] [{{ 'xxaxx' | trim('x') }}] [{{ s | trim }}] [{{ none | trim }}] [{{ 5 | trim }}]", Values),
        new("filter-tojson", """{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ msgs[2] | tojson(indent=4, sort_keys=true) }}|{{ 'é😀"\n<>&\u0001\x7f' | tojson }}|{{ [1, 2.5, none, true, 'x', [], {}] | tojson }}|{{ d | tojson(separators=(',', ':')) }}|{{ 'é😀' | tojson(ensure_ascii=true) }}|{{ [1.0, 1e20, 0.1, -0.0] | tojson }}|{{ {1: 'a', 2.5: 'b', true: 'c'} | tojson }}|{{ (1, 2) | tojson }}|{{ [[]] | tojson(indent=0) }}|{{ {'a': [1, {'b': {}}]} | tojson(indent='\t') }}""", Values),
        new("filter-length", "{{ xs | length }} {{ 'a😀' | length }} {{ d | count }} {{ nothing | length }} {{ (1, 2) | length }} {{ '' | length }}", Values),
        new("filter-first-last", "{{ xs | first }} {{ xs | last }} {{ 'abc' | first }} {{ 'abc' | last }} [{{ [] | first }}] {{ d | first }} [{{ nothing | first }}]", Values),
        new("filter-selectattr", "{{ msgs | selectattr('role', 'equalto', 'user') | list | length }} {{ msgs | rejectattr('role', 'eq', 'user') | map(attribute='content') | join(',') }} {{ msgs | selectattr('tool_calls') | map(attribute='n') | list }} {{ msgs | selectattr('role', 'in', ['user', 'system']) | list | length }} {{ msgs[2:3] | selectattr('tool_calls.0.function.name', 'defined') | list | length }} {{ msgs | rejectattr('tool_calls') | list | length }}", Values),
        new("filter-select", "{{ xs | select('odd') | list }} {{ xs | reject('even') | list }} {{ ['a', '', 'b'] | select | list }} {{ xs | select('greaterthan', 2) | list }} {{ xs | select('>', 1) | list }} {{ xs | reject('in', [1, 2]) | list }}{% if [2] | select('odd') %} generator-is-truthy{% endif %}", Values),
        new("filter-map", "{{ msgs | map(attribute='role') | list }} {{ ['a', 'b'] | map('upper') | join }} {{ msgs | map(attribute='missing', default='-') | list }} {{ [' a ', 'b '] | map('trim') | list }} {{ [1, 2] | map('string') | join('+') }}", Values),
        new("filter-join", "{{ [1, 2, 3] | join(', ') }} {{ msgs | join('|', attribute='role') }} {{ 'abc' | join('-') }} [{{ [] | join(',') }}] {{ ['', 'a'] | join(',') }} {{ [none, 1.0] | join }}", Values),
        new("filter-replace", "{{ 'aaa' | replace('a', 'b', 2) }} {{ 'abc' | replace('', '-') }} {{ 'a.b.c' | replace('.', '') }} {{ 5 | replace('5', 'five') }}", "{}"),
        new("filter-default", "{{ nothing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ nothing | d('x') }} {{ 0 | default(5, boolean=true) }} {{ 'set' | default('d') }} [{{ nothing | default }}]", "{}"),
        new("filter-case", "{{ 'hELLo wORLD' | lower }} {{ 'abc' | upper }} {{ 'hello world-foo(bar [baz <q' | title }} {{ 'hELLO' | capitalize }} {{ \"they're o'neil\" | title }} {{ 'ÉCOLE ĲSSEL' | lower }} {{ 'ß' | upper }}", "{}"),
        new("filter-conversions", "{{ 1 | string }} {{ none | string }} {{ '42' | int }} {{ ' 4_2 ' | int }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ -3.9 | int }} {{ true | int }} {{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }} {{ ' 1e3 ' | float }} {{ 'ab' | list }} {{ d | list }} {{ (1, 2) | list }} {{ '0x1A' | int(base=16) }} {{ none | int }}", Values),
        new("filter-unique", "{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ ['a', 'A'] | unique(case_sensitive=true) | list }} {{ [1, 1.0, true, 2] | unique | list }} {{ msgs | unique(attribute='role') | map(attribute='n') | list }}", Values),
        new("filter-indent", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(width='> ', blank=true) }}|{{ 'x\r\ny\u2028z' | indent }}", "{}"),
        new("filter-escape-safe", """{{ '<a href="x">&\'</a>' | e }} {{ '<b>' | safe }} {{ none | escape }} {{ 5 | e }}""", "{}"),
        new("filter-numbers", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 5 | round }} {{ 1.25 | round(1, 'floor') }} {{ 1.21 | round(1, 'ceil') }} {{ 1234.5 | round(-2) }} {{ 0.125 | round(2) }} {{ -0.5 | round }} {{ -3 | abs }} {{ -2.5 | abs }} {{ [1, 2, 3] | sum }} {{ [0.1, 0.2] | sum }} {{ msgs | sum(attribute='n') }} {{ [[1], [2]] | sum(start=[]) }}", Values),
        new("filter-sort-reverse", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'a', 'B'] | sort }} {{ ['b', 'A', 'a'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }} {{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }} {{ msgs | sort(attribute='role') | map(attribute='n') | join(',') }}", Values),
        new("filter-items-attr", "{{ d | items | list }} {{ m | attr('role') }} [{{ m | attr('nope') }}] {{ nothing | items | list }}", Values),

        // ---- Tests ----
        new("tests-types", "{% for v in values %}{{ v is defined }},{{ v is none }},{{ v is string }},{{ v is number }},{{ v is integer }},{{ v is float }},{{ v is boolean }},{{ v is true }},{{ v is false }},{{ v is mapping }},{{ v is sequence }},{{ v is iterable }},{{ v is callable }};{% endfor %}", Values),
        new("tests-undefined", "{{ u is defined }}{{ u is undefined }}{{ u is sequence }}{{ u is iterable }}{{ u is callable }}{{ u is none }}{{ u is mapping }}{{ u is string }}", "{}"),
        new("tests-values", "{{ 2 is even }} {{ 3 is odd }} {{ 3.0 is odd }} {{ -3 is odd }} {{ 1 is eq 1 }} {{ 'a' is equalto 'a' }} {{ 1 is in [1, 2] }} {{ 'x' is in 'xyz' }} {{ 6 is divisibleby 3 }} {{ 1 is not none }} {{ x is not defined }} {{ range is callable }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ none is sameas none }} {{ 1 is sameas 1 }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }} {{ 2 is ne 3 }} {{ 2 is lt 3 }}", Values),
        new("tests-precedence", "{{ not x is defined }} {{ x is defined and x }} {{ x is not none and x > 1 }} {{ (x is defined) == true }} {{ m.content is string and m.content | trim }}", Values),

        // ---- Python methods on str ----
        new("str-strip", "[{{ s.strip() }}] [{{ s.lstrip() }}] [{{ s.rstrip() }}] [{{ 'xxaxx'.strip('x') }}] [{{ '\x1c\x1d a \x1e\x1f'.strip() }}] [{{ '\u3000a\xa0'.strip() }}] [{{ '\u200ba'.strip() }}] [{{ 'abcba'.lstrip('ab') }}] [{{ 'abcba'.rstrip('ab') }}] [{{ 'a'.strip(none) }}]", Values),
        new("str-split", "{{ '  a  b c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a b c'.split(none, 1) }} {{ ''.split() }} {{ ''.split(',') }} {{ 'a<think>b</think>c'.split('</think>')[-1] }} {{ '  a b  '.split(maxsplit=1) }} {{ 'a\u3000b\x1cc'.split() }} {{ 'a--b--'.split('--') }} {{ 'a b'.split(' ', 0) }}", "{}"),
        new("str-methods", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'Hello'.upper() }} {{ 'Hello'.lower() }} {{ 'hello world'.title() }} {{ \"they're 3rd\".title() }} {{ 'hELLO'.capitalize() }} {{ 'aXa'.replace('a', 'b') }} {{ 'aXa'.replace('a', 'b', 1) }} {{ 'aaa'.count('a') }} {{ 'aaaa'.count('aa') }} {{ 'abc'.find('c') }} {{ 'abc'.find('z') }} {{ '😀abc'.find('b') }}", "{}"),
        new("str-format", "{{ '{} and {name}'.format(1, name='x') }} {{ '{0}{0}{1}'.format('ab', none) }} {{ '{{literal}} {}'.format(1.0) }} {{ '{!r}'.format('q') }}", "{}"),
        new("str-join-method", "{{ ', '.join(['a', 'b']) }} {{ ''.join('xyz') }}", "{}"),

        // ---- Globals ----
        new("strftime-now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %B %-d %I%p %j %y %%') }}|{{ strftime_now('%-m/%e/%D %F %T') }}", "{}"),
        new("dict-global", "{{ dict(a=1, b='x') }} {{ dict() }}", "{}"),
        new("variables-shadow-globals", "{{ range }}", """{"range": "mine"}"""),
        new("top-level-reassign", "{% set messages = messages[1:] %}{{ messages | length }}{% set add_generation_prompt = add_generation_prompt or false %}{{ add_generation_prompt }}", """{"messages": [1, 2, 3]}"""),
    ];

    public static TheoryData<string> Names() => new(All.Select(c => c.Name));
}
