using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Monitor.Hosting;

/// <summary>
/// Builds the configuration every verb runs on: the embedded defaults (appsettings.json), an appsettings.json in the
/// current folder if there is one, the <c>--config</c> file, then environment variables (<c>Monitor__Storage__Sqlite__Path</c>).
/// Then binds and validates it, reporting every problem at once.
/// </summary>
public static class MonitorSettings
{
    private const string EmbeddedDefaults = "Monitor.appsettings.json";

    public static IConfigurationRoot Build(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        var defaults = typeof(MonitorSettings).Assembly.GetManifestResourceStream(EmbeddedDefaults)
            ?? throw new InvalidOperationException($"{EmbeddedDefaults} is missing from the build");
        builder.AddJsonStream(defaults);
        AddFile(builder, Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        if (!string.IsNullOrWhiteSpace(configFile))
            AddFile(builder, Path.GetFullPath(configFile), optional: false);
        builder.AddEnvironmentVariables();
        if (overrides is not null)
            builder.AddInMemoryCollection(overrides);
        return builder.Build();
    }

    /// <summary>Binds the Monitor section; throws <see cref="BadInputException"/> with one line per problem.</summary>
    public static MonitorOptions Bind(IConfiguration configuration)
    {
        var options = new MonitorOptions();
        try
        {
            configuration.GetSection(MonitorOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key: "Failed to convert configuration value '2 days' at 'Monitor:Pull:LookBack' to type TimeSpan".
            throw new BadInputException(e.Message, e);
        }

        var problems = MonitorOptionsValidator.Problems(options).ToList();
        if (problems.Count > 0)
            throw new BadInputException(string.Join(Environment.NewLine, problems));
        return options;
    }

    private static void AddFile(ConfigurationBuilder builder, string path, bool optional)
    {
        if (!File.Exists(path))
        {
            if (optional)
                return;
            throw new BadInputException($"--config: {path}: no such file");
        }

        // Parse first so a syntax error names the file and line, not a stack trace.
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: line {e.LineNumber + 1}: not valid JSON: {e.Message}", e);
        }

        builder.AddJsonFile(path, optional: false, reloadOnChange: false);
    }
}
