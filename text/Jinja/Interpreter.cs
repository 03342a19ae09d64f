using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// Renders a parsed template: executes statements into the output, records where <c>{% generation %}</c>
/// blocks land, and turns Python-level errors into <see cref="ChatTemplateException"/>s naming the statement's line.
/// Every loop iteration, call, output and value is charged to the render's <see cref="RenderBudget"/>.
/// </summary>
internal sealed partial class Interpreter
{
    private enum Flow { Normal, Break, Continue }

    private readonly string _template;
    private readonly StringBuilder _root = new();
    private readonly List<GenerationSpan> _generation = [];
    private readonly RenderBudget _budget;
    private StringBuilder _out;

    private Interpreter(string template, RenderBudget budget)
    {
        _template = template;
        _budget = budget;
        _out = _root;
    }

    public static ChatTemplateOutput Render(string template, IReadOnlyList<Node> body, Dictionary<string, object?> globals, RenderBudget budget)
    {
        var interpreter = new Interpreter(template, budget);
        try
        {
            interpreter.ExecuteAll(body, new Scope(new Scope(null, globals)));
        }
        catch (TemplateError e)
        {
            throw new ChatTemplateException(template, e.Line, e.Message, e.RaisedByTemplate);
        }
        return new ChatTemplateOutput(interpreter._root.ToString(), interpreter._generation);
    }

    private Flow ExecuteAll(IReadOnlyList<Node> nodes, Scope scope)
    {
        foreach (var node in nodes)
        {
            var flow = Execute(node, scope);
            if (flow != Flow.Normal)
                return flow;
        }
        return Flow.Normal;
    }

    private Flow Execute(Node node, Scope scope)
    {
        try
        {
            RenderBudget.CheckStack();
            return ExecuteCore(node, scope);
        }
        catch (TemplateError e) when (e.Line == 0)
        {
            e.Line = node.Line;
            throw;
        }
    }

    private Flow ExecuteCore(Node node, Scope scope)
    {
        switch (node)
        {
            case TextNode text:
                Write(text.Text);
                return Flow.Normal;
            case OutputNode output:
                Write(PyOps.Str(Eval(output.Value, scope)));
                return Flow.Normal;
            case IfNode @if:
                foreach (var (test, body, line) in @if.Branches)
                    if (PyOps.Truthy(EvalAt(test, scope, line)))
                        return ExecuteAll(body, scope);
                return ExecuteAll(@if.Else, scope);
            case ForNode @for:
                return ExecuteFor(@for, scope);
            case SetNode set:
                Assign(set.Target, Eval(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockNode setBlock:
                Assign(setBlock.Target, ApplyFilters(setBlock.Filters, Capture(setBlock.Body, new Scope(scope)), scope), scope);
                return Flow.Normal;
            case MacroNode macro:
                scope.Set(macro.Name, new Function(macro.Name, args => CallMacro(macro.Name, macro.Parameters, macro.Body, scope, Check(macro, args))));
                return Flow.Normal;
            case CallBlockNode callBlock:
                var caller = new Function("caller", args => CallMacro("caller", callBlock.CallerParameters, callBlock.Body, scope, args));
                var arguments = EvalArguments(callBlock.Call.Arguments, scope);
                arguments = arguments with { Named = [.. arguments.Named, ("caller", caller)] };
                Write(PyOps.Str(Call(Eval(callBlock.Call.Callee, scope), arguments)));
                return Flow.Normal;
            case FilterBlockNode filterBlock:
                Write(PyOps.Str(ApplyFilters(filterBlock.Filters, Capture(filterBlock.Body, new Scope(scope)), scope)));
                return Flow.Normal;
            case WithNode with:
                var inner = new Scope(scope);
                foreach (var (target, value) in with.Assignments.Select(a => (a.Target, Eval(a.Value, scope))).ToList())
                    Assign(target, value, inner);
                return ExecuteAll(with.Body, inner);
            case GenerationNode generation:
                return ExecuteGeneration(generation, scope);
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            default:
                throw new InvalidOperationException($"no interpreter case for {node.GetType().Name}");
        }
    }

    private Flow ExecuteFor(ForNode node, Scope scope)
    {
        IReadOnlyList<object?> items = PyOps.Iterate(Eval(node.Iterable, scope));
        if (node.Filter is { } filter)
            items = items.Where(item =>
            {
                _budget.Iteration();
                var filterScope = new Scope(scope);
                Assign(node.Target, item, filterScope);
                return PyOps.Truthy(Eval(filter, filterScope));
            }).ToList();
        if (items.Count == 0)
            return ExecuteAll(node.Else, new Scope(scope));
        var loop = new LoopContext(items);
        for (var i = 0; i < items.Count; i++)
        {
            _budget.Iteration();
            loop.Index0 = i;
            var iteration = new Scope(scope);
            iteration.Set("loop", loop);
            Assign(node.Target, items[i], iteration);
            if (ExecuteAll(node.Body, iteration) == Flow.Break)
                break;
        }
        return Flow.Normal;
    }

    // transformers' AssistantTracker: offsets into the final output, recorded for blocks rendered straight into
    // it (inside a macro or a captured block they would be offsets into something else).
    private Flow ExecuteGeneration(GenerationNode node, Scope scope)
    {
        var start = _out.Length;
        var flow = ExecuteAll(node.Body, new Scope(scope));
        if (ReferenceEquals(_out, _root))
            _generation.Add(new GenerationSpan(start, _out.Length));
        return flow;
    }

    private void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case AttributeTarget attribute:
                if (scope.Lookup(attribute.Name) is not Namespace ns)
                    throw new TemplateError("cannot assign attribute on non-namespace object");
                ns.Attributes[attribute.Attribute] = value;
                break;
            case TupleTarget tuple:
                var items = PyOps.Iterate(value);
                if (items.Count != tuple.Items.Count)
                    throw new TemplateError(items.Count < tuple.Items.Count
                        ? $"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})"
                        : $"too many values to unpack (expected {tuple.Items.Count})");
                for (var i = 0; i < items.Count; i++)
                    Assign(tuple.Items[i], items[i], scope);
                break;
        }
    }

    private string CallMacro(string name, IReadOnlyList<Parameter> parameters, IReadOnlyList<Node> body, Scope definedIn, Arguments<object?> args)
    {
        using var call = _budget.Call(name);
        var scope = new Scope(definedIn);
        var named = args.Named.ToDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (i < args.Positional.Count && named.ContainsKey(p.Name))
                throw new TemplateError($"macro '{name}' got multiple values for argument '{p.Name}'");
            object? value = i < args.Positional.Count ? args.Positional[i]
                : named.Remove(p.Name, out var given) ? given
                : p.Default is { } fallback ? Eval(fallback, scope)
                : Undefined.WithHint($"parameter '{p.Name}' was not provided");
            scope.Set(p.Name, value);
        }
        scope.Set("caller", named.Remove("caller", out var caller) ? caller : Undefined.WithHint("No caller defined"));
        scope.Set("varargs", args.Positional.Skip(parameters.Count).ToArray());
        scope.Set("kwargs", PyOps.ToDict(named));
        return Capture(body, scope);
    }

    // jinja2's Macro.__call__ checks, in its order and words.
    private static Arguments<object?> Check(MacroNode macro, Arguments<object?> args)
    {
        var unknown = args.Named.Select(n => n.Name)
            .Where(n => macro.Parameters.All(p => p.Name != n) && !(n == "caller" && macro.NamesRead.Contains("caller"))).ToList();
        if (unknown.Count > 0 && !macro.NamesRead.Contains("kwargs"))
            throw new TemplateError(unknown.Contains("caller")
                ? $"macro '{macro.Name}' was invoked with two values for the special caller argument. This is most likely a bug."
                : $"macro '{macro.Name}' takes no keyword argument '{unknown[0]}'");
        if (args.Positional.Count > macro.Parameters.Count && !macro.NamesRead.Contains("varargs"))
            throw new TemplateError($"macro '{macro.Name}' takes not more than {macro.Parameters.Count} argument(s)");
        return args;
    }

    private string Capture(IReadOnlyList<Node> body, Scope scope)
    {
        var saved = _out;
        _out = new StringBuilder();
        try
        {
            ExecuteAll(body, scope);
            return _out.ToString();
        }
        finally
        {
            _out = saved;
        }
    }

    private void Write(string text)
    {
        _budget.Length((long)_out.Length + text.Length, "the output");
        _out.Append(text);
    }

    private object? ApplyFilters(IReadOnlyList<FilterCall> filters, object? value, Scope scope)
    {
        foreach (var filter in filters)
            value = ApplyFilter(filter.Name, value, EvalArguments(filter.Arguments, scope));
        return value;
    }
}

/// <summary>Where a <c>{% generation %}</c> block's output lies in the rendered text: UTF-16 offsets, end exclusive.</summary>
public readonly record struct GenerationSpan(int Start, int End);
