namespace PoFT.Text.Jinja;

// The template's syntax tree. Every node carries the template line it starts on, for error messages.

internal abstract record Node(int Line);

// ---- Statements ----
internal sealed record TextNode(string Text, int Line) : Node(Line);
internal sealed record OutputNode(Expr Value, int Line) : Node(Line);
internal sealed record IfNode(IReadOnlyList<(Expr Test, IReadOnlyList<Node> Body, int Line)> Branches, IReadOnlyList<Node> Else, int Line) : Node(Line);
internal sealed record ForNode(Target Target, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else, int Line) : Node(Line);
internal sealed record SetNode(Target Target, Expr Value, int Line) : Node(Line);
internal sealed record SetBlockNode(Target Target, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Node> Body, int Line) : Node(Line);
/// <summary>A macro; as in jinja2, it takes extra positional arguments, unknown keywords or a caller only when its
/// body reads <c>varargs</c>, <c>kwargs</c> or <c>caller</c>.</summary>
internal sealed record MacroNode(string Name, IReadOnlyList<Parameter> Parameters, IReadOnlyList<Node> Body, IReadOnlySet<string> NamesRead, int Line) : Node(Line);
internal sealed record CallBlockNode(CallExpr Call, IReadOnlyList<Parameter> CallerParameters, IReadOnlyList<Node> Body, int Line) : Node(Line);
internal sealed record FilterBlockNode(IReadOnlyList<FilterCall> Filters, IReadOnlyList<Node> Body, int Line) : Node(Line);
internal sealed record WithNode(IReadOnlyList<(Target Target, Expr Value)> Assignments, IReadOnlyList<Node> Body, int Line) : Node(Line);
/// <summary>transformers' <c>{% generation %}</c>: renders its body; the renderer records where it landed.</summary>
internal sealed record GenerationNode(IReadOnlyList<Node> Body, int Line) : Node(Line);
internal sealed record BreakNode(int Line) : Node(Line);
internal sealed record ContinueNode(int Line) : Node(Line);

internal sealed record Parameter(string Name, Expr? Default);

// ---- Assignment targets: a name, names to unpack, or a namespace attribute (ns.x) ----
internal abstract record Target;
internal sealed record NameTarget(string Name) : Target;
internal sealed record TupleTarget(IReadOnlyList<Target> Items) : Target;
internal sealed record AttributeTarget(string Name, string Attribute) : Target;

// ---- Expressions ----
internal abstract record Expr(int Line) : Node(Line);
internal sealed record ConstExpr(object? Value, int Line) : Expr(Line);
internal sealed record NameExpr(string Name, int Line) : Expr(Line);
internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);
internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);
internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items, int Line) : Expr(Line);
internal sealed record AttributeExpr(Expr Target, string Name, int Line) : Expr(Line);
internal sealed record ItemExpr(Expr Target, Expr Key, int Line) : Expr(Line);
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);
internal sealed record CallExpr(Expr Callee, Arguments<Expr> Arguments, int Line) : Expr(Line);
internal sealed record FilterExpr(Expr Value, FilterCall Filter, int Line) : Expr(Line);
internal sealed record TestExpr(Expr Value, string Name, Arguments<Expr> Arguments, bool Negated, int Line) : Expr(Line);
internal sealed record UnaryExpr(string Op, Expr Operand, int Line) : Expr(Line);
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line) : Expr(Line);
internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Op, Expr Operand)> Rest, int Line) : Expr(Line);
internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Else, int Line) : Expr(Line);

internal sealed record FilterCall(string Name, Arguments<Expr> Arguments, int Line);

/// <summary>Call arguments: positional, then keyword (<c>name=value</c>), as Python orders them.</summary>
internal sealed record Arguments<T>(IReadOnlyList<T> Positional, IReadOnlyList<(string Name, T Value)> Named)
{
    public static readonly Arguments<T> None = new([], []);
}
