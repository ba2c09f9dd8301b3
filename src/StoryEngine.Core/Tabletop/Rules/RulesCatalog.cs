using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Tabletop.Rules;

/// <summary>
/// The rules systems this server knows: the SRD 5.1 basics shipped inside the program, and every <c>*.json</c> in
/// <see cref="TabletopOptions.RulesDirectory"/>. All are read and checked once, at start; a bad file stops the start
/// with <see cref="RulesFileException"/> naming the file and each problem.
/// </summary>
public sealed class RulesCatalog
{
    /// <summary>The system an adventure plays by when it names none.</summary>
    public const string DefaultSystem = "srd-5.1";

    private readonly Dictionary<string, RulesSystem> _systems = new(StringComparer.OrdinalIgnoreCase);

    public RulesCatalog(TabletopOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Add(Builtin());
        if (options.RulesDirectory is { Length: > 0 } directory)
        {
            if (!Directory.Exists(directory))
            {
                throw new RulesFileException(directory, ["Tabletop:RulesDirectory names a folder that does not exist"]);
            }
            foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                Add(RulesLoader.Load(File.ReadAllBytes(file), file), file);
            }
        }
    }

    public IReadOnlyList<RulesSystem> Systems => [.. _systems.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];

    public RulesSystem Get(string id) =>
        _systems.TryGetValue(id, out var system) ? system : throw new NotFoundException("rules system", id);

    public static RulesSystem Builtin()
    {
        using var stream = typeof(RulesCatalog).Assembly.GetManifestResourceStream(
            "StoryEngine.Core.Tabletop.Rules.srd-5.1.json"
        ) ?? throw new InvalidOperationException("The SRD 5.1 rules file is missing from the build.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return RulesLoader.Load(bytes.ToArray(), "srd-5.1.json (built in)");
    }

    private void Add(RulesSystem system, string? file = null)
    {
        if (!_systems.TryAdd(system.Id, system))
        {
            throw new RulesFileException(file ?? system.Id, [$"$.id: a rules system '{system.Id}' is already loaded"]);
        }
    }
}

/// <summary>Tabletop play's settings (section <c>Tabletop</c>).</summary>
public sealed class TabletopOptions
{
    public const string Section = "Tabletop";

    /// <summary>A folder of extra rules systems (<c>*.json</c>, same shape as the built-in SRD file); none when
    /// empty.</summary>
    public string? RulesDirectory { get; set; }

    /// <summary>How long clients and caches may keep rules data, in seconds (<c>Cache-Control: public,
    /// max-age</c>).</summary>
    public int RulesMaxAgeSeconds { get; set; } = 3600;
}
