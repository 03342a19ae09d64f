#!/usr/bin/env python3
"""Reference renderer for the C# Jinja tests: Python's jinja2 configured as transformers'
_compile_jinja_template configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
the AssistantTracker `generation` tag and loopcontrols; globals raise_exception and strftime_now;
tojson overridden with json.dumps), rendered through generate() as apply_chat_template does.

stdin: a JSON list of cases {"template": str, "variables": {...}, "now": "YYYY-MM-DDTHH:MM:SS" (optional)}.
stdout: a JSON list of results, one per case: {"output": str, "generation": [[start, end], ...]} or
{"error": str, "kind": exception class name, "line": template line or null}.
Generation offsets are in UTF-16 code units (what a C# string index counts), not Python code points.
"""
import json
import sys
from contextlib import contextmanager
from datetime import datetime

try:
    import jinja2
    import jinja2.ext
    import jinja2.nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    sys.stderr.write("reference_render.py needs Python's jinja2 (3.1.x): it is not installed\n")
    sys.exit(3)


class AssistantTracker(jinja2.ext.Extension):
    # As transformers defines it: {% generation %} renders its body and records where it landed.
    tags = {"generation"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(activate_tracker=self.activate_tracker)
        self._rendered_blocks = None
        self._generation_indices = None

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        rv = caller()
        if self._rendered_blocks is not None:
            start_index = len("".join(self._rendered_blocks))
            self._generation_indices.append((start_index, start_index + len(rv)))
        return rv

    @contextmanager
    def activate_tracker(self, rendered_blocks, generation_indices):
        self._rendered_blocks = rendered_blocks
        self._generation_indices = generation_indices
        try:
            yield
        finally:
            self._rendered_blocks = None
            self._generation_indices = None


def make_environment(now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def template_line(error):
    line = getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def utf16(text, index):
    return len(text[:index].encode("utf-16-le")) // 2


_environments = {}
_templates = {}


def compiled(source, now_text):
    # Compiling is most of the cost: one environment per clock, one compile per template source.
    env = _environments.get(now_text)
    if env is None:
        now = datetime.fromisoformat(now_text) if now_text else datetime.now()
        env = _environments[now_text] = make_environment(now)
    key = (source, now_text)
    if key not in _templates:
        _templates[key] = env.from_string(source)
    return env, _templates[key]


def render(case):
    try:
        env, template = compiled(case["template"], case.get("now"))
        blocks, indices = [], []
        with env.activate_tracker(blocks, indices):
            for block in template.generate(**case.get("variables", {})):
                blocks.append(block)
        text = "".join(blocks)
        return {"output": text, "generation": [[utf16(text, s), utf16(text, e)] for s, e in indices]}
    except Exception as error:
        return {"error": str(error), "kind": type(error).__name__, "line": template_line(error)}


if __name__ == "__main__":
    cases = json.load(sys.stdin)
    json.dump([render(case) for case in cases], sys.stdout, ensure_ascii=True)
