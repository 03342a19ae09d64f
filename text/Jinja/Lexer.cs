using System.Globalization;
using System.Text;

namespace PoFT.Text.Jinja;

internal enum TokenKind { Data, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End }

/// <summary>One token; <see cref="Literal"/> is the decoded value of strings and numbers.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Line, object? Literal = null)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;
    public bool IsName(string name) => Is(TokenKind.Name, name);
    public bool IsOperator(string op) => Is(TokenKind.Operator, op);

    public string Describe() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockEnd => "end of statement block",
        _ => Value,
    };
}

/// <summary>
/// Splits a template into tokens as jinja2's lexer does under transformers' settings: <c>trim_blocks</c> (the
/// newline after a block or comment tag goes), <c>lstrip_blocks</c> (spaces and tabs before a block or comment
/// tag that starts its line go), <c>-</c> and <c>+</c> whitespace control, newlines normalised to <c>\n</c> and
/// one trailing newline dropped (<c>keep_trailing_newline=False</c>). Not supported (no chat template seen uses
/// them): <c>{% raw %}</c> blocks, and 0x/0o/0b integer literals.
/// </summary>
internal sealed class Lexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _template;
    private readonly string _src;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line = 1;
    private bool _lineStarting = true;

    private Lexer(string template, string source)
    {
        _template = template;
        // jinja2's newlines are \r\n, \r and \n only (not .NET's wider ReplaceLineEndings set).
        _src = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (_src.EndsWith('\n'))
            _src = _src[..^1];
    }

    public static List<Token> Tokenize(string template, string source)
    {
        var lexer = new Lexer(template, source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _src.Length)
        {
            var tag = FindTagStart(_pos);
            if (tag < 0)
            {
                _tokens.Add(new Token(TokenKind.Data, _src[_pos..], _line));
                _line += Count(_src.AsSpan(_pos), '\n');
                break;
            }
            var kind = _src[tag + 1];
            var sign = tag + 2 < _src.Length && _src[tag + 2] is '-' or '+' ? _src[tag + 2] : '\0';
            var text = _src[_pos..tag];
            var dataLine = _line;
            _line += Count(text, '\n');
            if (sign == '-')
                text = PyStrings.RStrip(text);
            else if (sign != '+' && kind != '{')
                text = LStripBlock(text);
            if (text.Length > 0)
                _tokens.Add(new Token(TokenKind.Data, text, dataLine));
            _pos = tag + (sign == '\0' ? 2 : 3);
            if (kind == '#')
                SkipComment();
            else
                LexTag(kind == '{' ? TokenKind.VariableBegin : TokenKind.BlockBegin);
        }
        _tokens.Add(new Token(TokenKind.End, "", _line));
    }

    private int FindTagStart(int from)
    {
        for (var i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
            if (_src[i + 1] is '{' or '%' or '#')
                return i;
        return -1;
    }

    // lstrip_blocks: spaces and tabs between the line's start and a block or comment tag go.
    private string LStripBlock(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting)
            return text;
        for (var i = lineStart; i < text.Length; i++)
            if (text[i] is not (' ' or '\t'))
                return text;
        return text[..lineStart];
    }

    private void SkipComment()
    {
        var end = _src.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0)
            throw Fail("missing end of comment tag");
        var sign = end > _pos && _src[end - 1] is '-' or '+' ? _src[end - 1] : '\0';
        _line += Count(_src.AsSpan(_pos, end - _pos), '\n');
        _pos = end + 2;
        AfterTagEnd(sign, trimBlocks: true);
    }

    // After a tag's end: '-' eats all whitespace, trim_blocks one newline (not after '+' or a print tag).
    private void AfterTagEnd(char sign, bool trimBlocks)
    {
        var start = _pos;
        if (sign == '-')
            while (_pos < _src.Length && PyStrings.IsSpace(_src[_pos]))
                _pos++;
        else if (sign != '+' && trimBlocks && _pos < _src.Length && _src[_pos] == '\n')
            _pos++;
        _line += Count(_src.AsSpan(start, _pos - start), '\n');
        _lineStarting = _pos > 0 && _src[_pos - 1] == '\n';
    }

    private void LexTag(TokenKind begin)
    {
        var isBlock = begin == TokenKind.BlockBegin;
        _tokens.Add(new Token(begin, isBlock ? "{%" : "{{", _line));
        var closers = new Stack<char>();
        while (true)
        {
            if (_pos >= _src.Length)
                throw Fail($"unexpected end of template, expected the end of the {(isBlock ? "statement block" : "print statement")}");
            if (closers.Count == 0 && TryTagEnd(isBlock))
                return;
            var c = _src[_pos];
            if (PyStrings.IsSpace(c))
            {
                if (c == '\n')
                    _line++;
                _pos++;
            }
            else if (char.IsAsciiDigit(c))
                LexNumber();
            else if (c == '_' || char.IsLetter(c))
                LexName();
            else if (c is '\'' or '"')
                LexString(c);
            else
                LexOperator(closers);
        }
    }

    private bool TryTagEnd(bool isBlock)
    {
        var close = isBlock ? "%}" : "}}";
        var sign = _src[_pos] is '-' || (isBlock && _src[_pos] == '+') ? _src[_pos] : '\0';
        var at = sign == '\0' ? _pos : _pos + 1;
        if (string.CompareOrdinal(_src, at, close, 0, 2) != 0)
            return false;
        _tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, _line));
        _pos = at + 2;
        AfterTagEnd(sign, trimBlocks: isBlock);
        return true;
    }

    private void LexNumber()
    {
        var start = _pos;
        SkipDigits();
        var isFloat = false;
        // jinja2's float: digits '.' digits, and/or an exponent; "1." and a number right after '.' (x.0.1) are not.
        var afterDot = start > 0 && _src[start - 1] == '.';
        if (!afterDot && _pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            _pos++;
            SkipDigits();
            isFloat = true;
        }
        if (!afterDot && _pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            var e = _pos + 1;
            if (e < _src.Length && _src[e] is '+' or '-')
                e++;
            if (e < _src.Length && char.IsAsciiDigit(_src[e]))
            {
                _pos = e;
                SkipDigits();
                isFloat = true;
            }
        }
        var text = _src[start.._pos];
        var plain = text.Replace("_", "");
        if (isFloat)
            _tokens.Add(new Token(TokenKind.Float, text, _line, double.Parse(plain, CultureInfo.InvariantCulture)));
        else if (long.TryParse(plain, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            _tokens.Add(new Token(TokenKind.Integer, text, _line, value));
        else
            throw Fail($"integer literal {text} does not fit in 64 bits");
    }

    private void SkipDigits()
    {
        while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || (_src[_pos] == '_' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]))))
            _pos++;
    }

    private void LexName()
    {
        var start = _pos;
        while (_pos < _src.Length && (_src[_pos] == '_' || char.IsLetterOrDigit(_src[_pos])))
            _pos++;
        _tokens.Add(new Token(TokenKind.Name, _src[start.._pos], _line));
    }

    private void LexString(char quote)
    {
        var start = _pos++;
        var line = _line;
        while (_pos < _src.Length && _src[_pos] != quote)
            _pos += _src[_pos] == '\\' && _pos + 1 < _src.Length ? 2 : 1;
        if (_pos >= _src.Length)
            throw Fail("unterminated string literal");
        _pos++;
        var raw = _src[start.._pos];
        _line += Count(raw, '\n');
        _tokens.Add(new Token(TokenKind.String, raw, line, DecodeEscapes(raw[1..^1], line)));
    }

    private void LexOperator(Stack<char> closers)
    {
        var op = Operators.FirstOrDefault(o => string.CompareOrdinal(_src, _pos, o, 0, o.Length) == 0)
            ?? throw Fail($"unexpected char '{_src[_pos]}'");
        switch (op)
        {
            case "(": closers.Push(')'); break;
            case "[": closers.Push(']'); break;
            case "{": closers.Push('}'); break;
            case ")" or "]" or "}":
                if (closers.Count == 0)
                    throw Fail($"unexpected '{op}'");
                if (closers.Pop() != op[0])
                    throw Fail($"unexpected '{op}'");
                break;
        }
        _tokens.Add(new Token(TokenKind.Operator, op, _line));
        _pos += op.Length;
    }

    // jinja2 decodes string literals with Python's unicode-escape; unknown escapes stay as written.
    private string DecodeEscapes(string body, int line)
    {
        if (!body.Contains('\\'))
            return body;
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length)
            {
                sb.Append(body[i]);
                continue;
            }
            var c = body[++i];
            switch (c)
            {
                case '\n': break;
                case '\\' or '\'' or '"': sb.Append(c); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': sb.Append(Hex(body, ref i, 2, line)); break;
                case 'u': sb.Append(Hex(body, ref i, 4, line)); break;
                case 'U': sb.Append(Hex(body, ref i, 8, line)); break;
                case >= '0' and <= '7':
                    var octal = c - '0';
                    for (var k = 0; k < 2 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7'; k++)
                        octal = octal * 8 + (body[++i] - '0');
                    sb.Append((char)octal);
                    break;
                default: sb.Append('\\').Append(c); break;
            }
        }
        return sb.ToString();
    }

    private string Hex(string body, ref int i, int digits, int line)
    {
        if (i + digits >= body.Length || !uint.TryParse(body.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || code > 0x10FFFF)
            throw new ChatTemplateException(_template, line, $"syntax error: truncated \\{body[i]} escape in a string literal");
        i += digits;
        // Python strings may hold lone surrogates; ConvertFromUtf32 refuses them.
        return code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32((int)code);
    }

    private static int Count(ReadOnlySpan<char> text, char c) => text.Count(c);

    private ChatTemplateException Fail(string reason) => new(_template, _line, "syntax error: " + reason);
}
