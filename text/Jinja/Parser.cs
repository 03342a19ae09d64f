namespace PoFT.Text.Jinja;

/// <summary>
/// Builds the syntax tree from tokens with jinja2's grammar and operator precedence (lowest first):
/// <c>x if c else y</c>, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>,
/// <c>* / // %</c>, <c>**</c> (left-associative, as in jinja2), unary <c>- +</c>, then postfix
/// <c>.attr [key] (args)</c>, filters <c>|f</c> and tests <c>is t</c>.
/// </summary>
internal sealed class Parser
{
    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    private readonly string _template;
    private readonly List<Token> _tokens;
    private readonly Stack<string> _openBlocks = new();
    private readonly Stack<HashSet<string>> _macroNamesRead = new();
    private int _pos;

    private Parser(string template, List<Token> tokens) => (_template, _tokens) = (template, tokens);

    public static IReadOnlyList<Node> Parse(string template, string source)
    {
        var parser = new Parser(template, Lexer.Tokenize(template, source));
        var (body, _) = parser.ParseStatements([]);
        return body;
    }

    private Token Current => _tokens[_pos];
    private Token Peek(int ahead = 1) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];
    private Token Next() => _tokens[_pos++];

    /// <summary>Statements up to one of <paramref name="endTags"/> (consumed with its name; the caller reads on).</summary>
    private (List<Node> Body, string EndTag) ParseStatements(string[] endTags)
    {
        var body = new List<Node>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (endTags.Length == 0)
                        return (body, "");
                    throw Fail(token, $"unexpected end of template: expected {string.Join(" or ", endTags.Select(t => $"'{t}'"))}"
                        + $" to close the '{_openBlocks.Peek()}' block");
                case TokenKind.Data:
                    Next();
                    body.Add(new TextNode(token.Value, token.Line));
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    var value = ParseTuple();
                    body.Add(new OutputNode(value, value.Line));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    Next();
                    var tag = Current;
                    if (tag.Kind == TokenKind.Name && endTags.Contains(tag.Value))
                    {
                        Next();
                        return (body, tag.Value);
                    }
                    body.Add(ParseStatement());
                    break;
                default:
                    throw Fail(token, $"unexpected '{token.Describe()}'");
            }
        }
    }

    private Node ParseStatement()
    {
        CheckNesting();
        var tag = Expect(TokenKind.Name);
        _openBlocks.Push(tag.Value);
        Node node = tag.Value switch
        {
            "if" => ParseIf(tag.Line),
            "for" => ParseFor(tag.Line),
            "set" => ParseSet(tag.Line),
            "macro" => ParseMacro(tag.Line),
            "call" => ParseCallBlock(tag.Line),
            "filter" => new FilterBlockNode(ParseFilterChain(), BlockBody("endfilter"), tag.Line),
            "with" => ParseWith(tag.Line),
            "generation" => new GenerationNode(BlockBody("endgeneration"), tag.Line),
            "break" => new BreakNode(tag.Line),
            "continue" => new ContinueNode(tag.Line),
            _ => throw Fail(tag, $"unknown tag '{tag.Value}'"),
        };
        _openBlocks.Pop();
        if (node is BreakNode or ContinueNode && !InLoop())
            throw Fail(tag, $"'{tag.Value}' outside a for loop");
        if (node is BreakNode or ContinueNode or SetNode)
            Expect(TokenKind.BlockEnd);
        return node;
    }

    // jinja2 compiles macro, call and generation bodies as functions: a loop around them is not theirs to break.
    private bool InLoop()
    {
        foreach (var block in _openBlocks)
        {
            if (block == "for")
                return true;
            if (block is "macro" or "call" or "generation")
                return false;
        }
        return false;
    }

    private List<Node> BlockBody(string endTag)
    {
        Expect(TokenKind.BlockEnd);
        var (body, _) = ParseStatements([endTag]);
        Expect(TokenKind.BlockEnd);
        return body;
    }

    private IfNode ParseIf(int line)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>, int)>();
        while (true)
        {
            var test = ParseTuple(withCondExpr: false);
            Expect(TokenKind.BlockEnd);
            var (body, end) = ParseStatements(["elif", "else", "endif"]);
            branches.Add((test, body, line));
            if (end == "elif")
            {
                line = _tokens[_pos - 1].Line;
                continue;
            }
            IReadOnlyList<Node> otherwise = [];
            if (end == "else")
                otherwise = BlockBody("endif");
            else
                Expect(TokenKind.BlockEnd);
            return new IfNode(branches, otherwise, branches[0].Item3);
        }
    }

    private ForNode ParseFor(int line)
    {
        var target = ParseAssignTarget(withNamespace: false);
        ExpectName("in");
        var iterable = ParseTuple(withCondExpr: false, endName: "recursive");
        Expr? filter = null;
        if (SkipName("if"))
            filter = ParseExpression();
        if (Current.IsName("recursive"))
            throw Fail(Current, "recursive for loops are not supported");
        Expect(TokenKind.BlockEnd);
        var (body, end) = ParseStatements(["endfor", "else"]);
        IReadOnlyList<Node> otherwise = [];
        if (end == "else")
            otherwise = BlockBody("endfor");
        else
            Expect(TokenKind.BlockEnd);
        return new ForNode(target, iterable, filter, body, otherwise, line);
    }

    private Node ParseSet(int line)
    {
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOperator("="))
            return new SetNode(target, ParseTuple(), line);
        var filters = Current.IsOperator("|") ? ParseFilterChain() : [];
        return new SetBlockNode(target, filters, BlockBody("endset"), line);
    }

    private MacroNode ParseMacro(int line)
    {
        var name = Expect(TokenKind.Name).Value;
        var parameters = ParseSignature();
        var namesRead = new HashSet<string>(StringComparer.Ordinal);
        _macroNamesRead.Push(namesRead);
        var body = BlockBody("endmacro");
        _macroNamesRead.Pop();
        return new MacroNode(name, parameters, body, namesRead, line);
    }

    private CallBlockNode ParseCallBlock(int line)
    {
        var parameters = Current.IsOperator("(") ? ParseSignature() : [];
        if (ParseExpression() is not CallExpr call)
            throw Fail(Current, "expected a call after 'call'");
        return new CallBlockNode(call, parameters, BlockBody("endcall"), line);
    }

    private WithNode ParseWith(int line)
    {
        var assignments = new List<(Target, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
                ExpectOperator(",");
            var target = ParseAssignTarget(withNamespace: false);
            ExpectOperator("=");
            assignments.Add((target, ParseExpression()));
        }
        return new WithNode(assignments, BlockBody("endwith"), line);
    }

    private List<Parameter> ParseSignature()
    {
        var parameters = new List<Parameter>();
        ExpectOperator("(");
        while (!SkipOperator(")"))
        {
            if (parameters.Count > 0)
                ExpectOperator(",");
            var name = Expect(TokenKind.Name).Value;
            var defaultValue = SkipOperator("=") ? ParseExpression() : null;
            if (defaultValue is null && parameters.Count > 0 && parameters[^1].Default is not null)
                throw Fail(Current, $"parameter '{name}' without a default follows one with a default");
            parameters.Add(new Parameter(name, defaultValue));
        }
        return parameters;
    }

    private Target ParseAssignTarget(bool withNamespace)
    {
        if (withNamespace && Current.Kind == TokenKind.Name && Peek().IsOperator("."))
        {
            var name = Next().Value;
            Next();
            return new AttributeTarget(name, Expect(TokenKind.Name).Value);
        }
        var items = new List<Target> { ParseTargetItem() };
        var isTuple = false;
        while (SkipOperator(","))
        {
            isTuple = true;
            if (Current.Kind != TokenKind.Name && !Current.IsOperator("("))
                break;
            items.Add(ParseTargetItem());
        }
        return isTuple ? new TupleTarget(items) : items[0];
    }

    private Target ParseTargetItem()
    {
        if (!SkipOperator("("))
            return new NameTarget(Expect(TokenKind.Name).Value);
        var inner = ParseAssignTarget(withNamespace: false);
        ExpectOperator(")");
        return inner;
    }

    // ---- Expressions ----

    /// <summary>An expression, or several separated by commas (a tuple), as jinja2's parse_tuple.</summary>
    private Expr ParseTuple(bool withCondExpr = true, string? endName = null, bool explicitParentheses = false)
    {
        var line = Current.Line;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
                ExpectOperator(",");
            if (Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")")
                || (endName is not null && Current.IsName(endName)))
                break;
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
            if (Current.IsOperator(","))
                isTuple = true;
            else
                break;
        }
        if (isTuple || (items.Count == 0 && explicitParentheses))
            return new TupleExpr(items, line);
        return items.Count == 1 ? items[0] : throw Fail(Current, $"expected an expression, got '{Current.Describe()}'");
    }

    private Expr ParseExpression()
    {
        var line = Current.Line;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseExpression() : null;
            expr = new ConditionalExpr(test, expr, otherwise, line);
            line = Current.Line;
        }
        return expr;
    }

    private Expr ParseOr() => ParseBinary(ParseAnd, TokenKind.Name, "or");
    private Expr ParseAnd() => ParseBinary(ParseNot, TokenKind.Name, "and");

    private Expr ParseNot()
    {
        if (!Current.IsName("not"))
            return ParseCompare();
        var line = Next().Line;
        return new UnaryExpr("not", ParseNot(), line);
    }

    private Expr ParseCompare()
    {
        var line = Current.Line;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Value))
                rest.Add((Next().Value, ParseMath1()));
            else if (SkipName("in"))
                rest.Add(("in", ParseMath1()));
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _pos += 2;
                rest.Add(("not in", ParseMath1()));
            }
            else
                break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, line);
    }

    private Expr ParseMath1() => ParseBinary(ParseConcat, TokenKind.Operator, "+", "-");
    private Expr ParseConcat() => ParseBinary(ParseMath2, TokenKind.Operator, "~");
    private Expr ParseMath2() => ParseBinary(ParsePow, TokenKind.Operator, "*", "/", "//", "%");
    private Expr ParsePow() => ParseBinary(() => ParseUnary(), TokenKind.Operator, "**");

    /// <summary>A left-associative chain. Lines as jinja2 gives them, which its errors report for a print
    /// statement: the chain's start, then the line of the token after each right operand (not for ~).</summary>
    private Expr ParseBinary(Func<Expr> operand, TokenKind kind, params string[] ops)
    {
        var line = Current.Line;
        var left = operand();
        while (Current.Kind == kind && ops.Contains(Current.Value))
        {
            var op = Next().Value;
            left = new BinaryExpr(op, left, operand(), line);
            if (op != "~")
                line = Current.Line;
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        CheckNesting();
        var line = Current.Line;
        Expr node;
        if (SkipOperator("-"))
            node = new UnaryExpr("-", ParseUnary(false), line);
        else if (SkipOperator("+"))
            node = new UnaryExpr("+", ParseUnary(false), line);
        else
            node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTests(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new ConstExpr(true, token.Line),
                    "false" or "False" => new ConstExpr(false, token.Line),
                    "none" or "None" => new ConstExpr(null, token.Line),
                    _ => ReadName(token),
                };
            case TokenKind.String:
                var text = (string)token.Literal!;
                while (Current.Kind == TokenKind.String)
                    text += (string)Next().Literal!;
                return new ConstExpr(text, token.Line);
            case TokenKind.Integer or TokenKind.Float:
                return new ConstExpr(token.Literal, token.Line);
            case TokenKind.Operator when token.Value == "(":
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                var items = new List<Expr>();
                while (!SkipOperator("]"))
                {
                    if (items.Count > 0)
                        ExpectOperator(",");
                    if (SkipOperator("]"))
                        break;
                    items.Add(ParseExpression());
                }
                return new ListExpr(items, token.Line);
            case TokenKind.Operator when token.Value == "{":
                var pairs = new List<(Expr, Expr)>();
                while (!SkipOperator("}"))
                {
                    if (pairs.Count > 0)
                        ExpectOperator(",");
                    if (SkipOperator("}"))
                        break;
                    var key = ParseExpression();
                    ExpectOperator(":");
                    pairs.Add((key, ParseExpression()));
                }
                return new DictExpr(pairs, token.Line);
            default:
                throw Fail(token, $"unexpected '{token.Describe()}'");
        }
    }

    private NameExpr ReadName(Token token)
    {
        foreach (var namesRead in _macroNamesRead)
            namesRead.Add(token.Value);
        return new NameExpr(token.Value, token.Line);
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("."))
            {
                Next();
                var name = Next();
                node = name.Kind switch
                {
                    TokenKind.Name => new AttributeExpr(node, name.Value, name.Line),
                    TokenKind.Integer => new ItemExpr(node, new ConstExpr(name.Literal, name.Line), name.Line),
                    _ => throw Fail(name, "expected a name or number after '.'"),
                };
            }
            else if (Current.IsOperator("["))
                node = ParseSubscript(node);
            else if (Current.IsOperator("("))
                node = ParseCall(node);
            else
                return node;
        }
    }

    private CallExpr ParseCall(Expr callee)
    {
        var line = Current.Line;
        return new CallExpr(callee, ParseCallArguments(), line);
    }

    private Expr ParseSubscript(Expr node)
    {
        var line = Next().Line;
        var keys = new List<Expr>();
        while (!SkipOperator("]"))
        {
            if (keys.Count > 0)
                ExpectOperator(",");
            keys.Add(ParseSubscribed());
        }
        return new ItemExpr(node, keys.Count == 1 ? keys[0] : new TupleExpr(keys, line), line);
    }

    private Expr ParseSubscribed()
    {
        var line = Current.Line;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
                return start;
        }
        Next();
        var stop = Current.IsOperator("]") || Current.IsOperator(",") || Current.IsOperator(":") ? null : ParseExpression();
        Expr? step = null;
        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
            step = ParseExpression();
        return new SliceExpr(start, stop, step, line);
    }

    private Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                Next();
                var filter = ParseFilterCall();
                node = new FilterExpr(node, filter, filter.Line);
            }
            else if (Current.IsName("is"))
                node = ParseTest(node);
            else if (Current.IsOperator("("))
                node = ParseCall(node);
            else
                return node;
        }
    }

    private List<FilterCall> ParseFilterChain()
    {
        var chain = new List<FilterCall>();
        do
        {
            if (chain.Count > 0 || Current.IsOperator("|"))
                ExpectOperator("|");
            chain.Add(ParseFilterCall());
        }
        while (Current.IsOperator("|"));
        return chain;
    }

    private FilterCall ParseFilterCall()
    {
        var name = Expect(TokenKind.Name);
        if (!Filters.Exists(name.Value))
            throw Fail(name, $"no filter named '{name.Value}'");
        var arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments<Expr>.None;
        return new FilterCall(name.Value, arguments, name.Line);
    }

    private Expr ParseTest(Expr node)
    {
        var line = Next().Line;
        var negated = SkipName("not");
        var name = Expect(TokenKind.Name);
        if (!Tests.Exists(name.Value))
            throw Fail(name, $"no test named '{name.Value}'");
        var arguments = Arguments<Expr>.None;
        if (Current.IsOperator("("))
            arguments = ParseCallArguments();
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
                throw Fail(Current, "tests cannot be chained with 'is'");
            arguments = new Arguments<Expr>([ParsePostfix(ParsePrimary())], []);
        }
        return new TestExpr(node, name.Value, arguments, negated, line);
    }

    private Arguments<Expr> ParseCallArguments()
    {
        ExpectOperator("(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!SkipOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                ExpectOperator(",");
                if (SkipOperator(")"))
                    break;
            }
            if (Current.IsOperator("*") || Current.IsOperator("**"))
                throw Fail(Current, "*args and **kwargs in calls are not supported");
            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var name = Next().Value;
                Next();
                named.Add((name, ParseExpression()));
            }
            else if (named.Count > 0)
                throw Fail(Current, "positional argument follows keyword argument");
            else
                positional.Add(ParseExpression());
        }
        return new Arguments<Expr>(positional, named);
    }

    // ---- Token helpers ----

    private Token Expect(TokenKind kind)
    {
        if (Current.Kind != kind)
            throw Fail(Current, $"expected {Describe(kind)}, got '{Current.Describe()}'");
        return Next();
    }

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op))
            throw Fail(Current, $"expected '{op}', got '{Current.Describe()}'");
        Next();
    }

    private void ExpectName(string name)
    {
        if (!Current.IsName(name))
            throw Fail(Current, $"expected '{name}', got '{Current.Describe()}'");
        Next();
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
            return false;
        Next();
        return true;
    }

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
            return false;
        Next();
        return true;
    }

    private static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.Name => "a name",
        TokenKind.BlockEnd => "the end of the statement block",
        TokenKind.VariableEnd => "the end of the print statement",
        _ => kind.ToString(),
    };

    // Blocks or brackets nested deeper than the parser's stack allows are refused, not a crash (Python's parser has
    // a nesting limit too).
    private void CheckNesting()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Fail(Current, "blocks or brackets nested too deeply");
    }

    private ChatTemplateException Fail(Token at, string reason) => new(_template, at.Line, "syntax error: " + reason);
}
