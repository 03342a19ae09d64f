namespace PoFT.Text.Jinja;

internal sealed partial class Interpreter
{
    private object? EvalAt(Expr expr, Scope scope, int line)
    {
        try
        {
            return Eval(expr, scope);
        }
        catch (TemplateError e) when (e.Line == 0)
        {
            e.Line = line;
            throw;
        }
    }

    private object? Eval(Expr expr, Scope scope)
    {
        RenderBudget.CheckStack();
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr name:
                return scope.Lookup(name.Name);
            case ListExpr list:
                return list.Items.Select(x => Eval(x, scope)).ToList();
            case TupleExpr tuple:
                return tuple.Items.Select(x => Eval(x, scope)).ToArray();
            case DictExpr dict:
                var result = new PyDict();
                foreach (var (k, v) in dict.Items)
                {
                    var key = Eval(k, scope);
                    result[key is null or List<object?> or PyDict or Undefined
                        ? throw new TemplateError($"a dict key cannot be {PyOps.TypeName(key)} here") : key] = Eval(v, scope);
                }
                return result;
            case AttributeExpr attribute:
                return PyAccess.GetAttribute(Eval(attribute.Target, scope), attribute.Name);
            case ItemExpr item:
                var owner = Eval(item.Target, scope);
                return PyAccess.GetItem(owner, item.Key is SliceExpr slice ? EvalSlice(slice, scope) : Eval(item.Key, scope));
            case CallExpr call:
                return Bounded(Call(Eval(call.Callee, scope), EvalArguments(call.Arguments, scope)), "a call's result");
            case FilterExpr filter:
                return ApplyFilter(filter.Filter.Name, Eval(filter.Value, scope), EvalArguments(filter.Filter.Arguments, scope));
            case TestExpr test:
                return Tests.Apply(test.Name, Eval(test.Value, scope), EvalArguments(test.Arguments, scope)) != test.Negated;
            case UnaryExpr { Op: "not" } not:
                return !PyOps.Truthy(Eval(not.Operand, scope));
            case UnaryExpr unary:
                return PyOps.Negate(Eval(unary.Operand, scope), unary.Op);
            case BinaryExpr { Op: "and" } and:
                var left = Eval(and.Left, scope);
                return PyOps.Truthy(left) ? Eval(and.Right, scope) : left;
            case BinaryExpr { Op: "or" } or:
                var first = Eval(or.Left, scope);
                return PyOps.Truthy(first) ? first : Eval(or.Right, scope);
            case BinaryExpr { Op: "~" } concat:
                var (head, tail) = (PyOps.Str(Eval(concat.Left, scope)), PyOps.Str(Eval(concat.Right, scope)));
                _budget.Length((long)head.Length + tail.Length, "the result of '~'");
                return head + tail;
            case BinaryExpr binary:
                var (a, b) = (Eval(binary.Left, scope), Eval(binary.Right, scope));
                _budget.Length(ResultLength(binary.Op, a, b), $"the result of '{binary.Op}'");
                return PyOps.Binary(binary.Op, a, b);
            case CompareExpr compare:
                var current = Eval(compare.First, scope);
                foreach (var (op, operand) in compare.Rest)
                {
                    var next = Eval(operand, scope);
                    if (!PyOps.CompareOp(op, current, next))
                        return false;
                    current = next;
                }
                return true;
            case ConditionalExpr conditional:
                if (PyOps.Truthy(Eval(conditional.Test, scope)))
                    return Eval(conditional.Then, scope);
                return conditional.Else is { } otherwise ? Eval(otherwise, scope)
                    : Undefined.WithHint($"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined.");
            default:
                throw new InvalidOperationException($"no evaluator case for {expr.GetType().Name}");
        }
    }

    // The length a sequence operation would build: concatenation and repetition are how a template multiplies text.
    private static long ResultLength(string op, object? a, object? b) => (op, a, b) switch
    {
        ("+", _, _) => PyOps.SequenceLength(a) + PyOps.SequenceLength(b),
        ("*", string or List<object?> or object?[], long n) => PyOps.SequenceLength(a) * Math.Clamp(n, 0, int.MaxValue),
        ("*", long n, string or List<object?> or object?[]) => PyOps.SequenceLength(b) * Math.Clamp(n, 0, int.MaxValue),
        _ => 0,
    };

    private object? ApplyFilter(string name, object? value, Arguments<object?> args)
    {
        if (name == "replace" && value is string text && args.Get(0, "old") is string old && args.Get(1, "new") is string replacement)
            _budget.Length(text.Length + Occurrences(text, old) * (long)Math.Max(0, replacement.Length - old.Length), "the result of 'replace'");
        return Bounded(Filters.Apply(name, value, args), $"the result of filter '{name}'");
    }

    private static long Occurrences(string text, string part)
    {
        if (part.Length == 0)
            return text.Length + 1L;
        long count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private object? Bounded(object? value, string what)
    {
        _budget.Length(PyOps.SequenceLength(value), what);
        return value;
    }

    private SliceValue EvalSlice(SliceExpr slice, Scope scope)
    {
        long? Bound(Expr? e) => e is null ? null : Eval(e, scope) switch
        {
            null => null,
            long l => l,
            bool b => b ? 1 : 0,
            var other => throw new TemplateError($"slice indices must be integers or None, not {PyOps.TypeName(other)}"),
        };
        return new SliceValue(Bound(slice.Start), Bound(slice.Stop), Bound(slice.Step));
    }

    private Arguments<object?> EvalArguments(Arguments<Expr> args, Scope scope)
    {
        if (args.Positional.Count == 0 && args.Named.Count == 0)
            return Arguments<object?>.None;
        return new Arguments<object?>(
            args.Positional.Select(x => Eval(x, scope)).ToList(),
            args.Named.Select(n => (n.Name, Eval(n.Value, scope))).ToList());
    }

    private static object? Call(object? callee, Arguments<object?> args) => callee switch
    {
        Function f => f.Invoke(args),
        Undefined u => throw u.Fail(),
        _ => throw new TemplateError($"'{PyOps.TypeName(callee)}' object is not callable"),
    };
}
