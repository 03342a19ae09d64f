using System.Diagnostics;
using Spectre.Console;

namespace PoFT.Cli.Terminal;

/// <summary>
/// Progress of a long job: a live Spectre.Console bar (done/total, rate, ETA) on a terminal, and a plain
/// line every few seconds otherwise (CI logs, pipes), so that progress is visible either way.
/// </summary>
public sealed class ProgressDisplay : IAsyncDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly string _title;
    private readonly string _unit;
    private long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource _done = new();
    private readonly Task? _live;
    private ProgressTask? _task;
    private long _current;
    private string _detail = "";
    private TimeSpan _lastPlain;

    public ProgressDisplay(string title, long total, string unit)
    {
        (_title, _total, _unit) = (title, total, unit);
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return;
        var started = new TaskCompletionSource();
        _live = AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                _task = context.AddTask(title, maxValue: Math.Max(1, total));
                started.SetResult();
                await _done.Task;
                _task.Value = _task.MaxValue;
            });
        started.Task.Wait();
    }

    /// <param name="current">Units done so far.</param>
    /// <param name="detail">Rates and the like, shown beside the bar.</param>
    /// <param name="total">The total, where it becomes known only once the job runs.</param>
    public void Report(long current, string detail, long? total = null)
    {
        (_current, _detail, _total) = (current, detail, total ?? _total);
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, _total);
            _task.Value = current;
            _task.Description = $"{_title} {current}/{_total} {_unit} {Markup.Escape(detail)}";
            return;
        }
        if (_clock.Elapsed - _lastPlain < PlainInterval)
            return;
        _lastPlain = _clock.Elapsed;
        var eta = current == 0 ? "?" : TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (_total - current) / current).ToString(@"hh\:mm\:ss");
        Console.Error.WriteLine($"{_title}: {current}/{_total} {_unit} {detail} eta {eta}");
    }

    /// <summary>A line that stays: above the live bar, or among the plain lines.</summary>
    public void WriteLine(string line)
    {
        if (_task is not null)
            AnsiConsole.MarkupLine(Markup.Escape(line));
        else
            Console.Error.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        _done.TrySetResult();
        if (_live is not null)
            await _live;
        else if (_current > 0)
            Console.Error.WriteLine($"{_title}: {_current}/{_total} {_unit} {_detail} in {_clock.Elapsed:hh\\:mm\\:ss}");
    }
}
