namespace Monitor.Cli;

/// <summary>Progress on a terminal (standard error, one rewritten line); silent when output is redirected.</summary>
public sealed class TerminalProgress<T>(Func<T, string> describe) : IProgress<T>
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private int _width;

    public void Report(T value)
    {
        if (!_enabled)
            return;
        var text = describe(value);
        Console.Error.Write("\r" + text.PadRight(_width));
        _width = Math.Max(_width, text.Length);
    }

    public void Done()
    {
        if (_enabled && _width > 0)
            Console.Error.WriteLine();
    }
}
