using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Tabletop.Rules;

/// <summary>
/// The rules systems this server knows: the SRD 5.1 basics shipped inside the program, and every <c>*.json</c> in
/// <see cref="TabletopOptions.RulesDirectory"/>. The folder's files are read and checked when the catalogue is built
/// (at start, see <c>AddTabletop</c>); a bad file stops the start with <see cref="RulesFileException"/> naming the file
/// and each problem. The built-in file is parsed the first time it is needed (issue 19: start-up), once, whichever
/// thread asks first.
/// </summary>
public sealed class RulesCatalog
{
    /// <summary>The system an adventure plays by when it names none.</summary>
    public const string DefaultSystem = "srd-5.1";

    private readonly Dictionary<string, RulesSystem> _files = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<RulesSystem> _builtin;

    /// <param name="options">Where the extra systems are.</param>
    /// <param name="loaded">Told of each system as it is loaded (the folder's now, the built-in one on first
    /// use).</param>
    public RulesCatalog(TabletopOptions options, Action<RulesSystem>? loaded = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _builtin = new Lazy<RulesSystem>(
            () =>
            {
                var system = Builtin();
                loaded?.Invoke(system);
                return system;
            },
            LazyThreadSafetyMode.ExecutionAndPublication
        );
        if (options.RulesDirectory is { Length: > 0 } directory)
        {
            if (!Directory.Exists(directory))
            {
                throw new RulesFileException(directory, ["Tabletop:RulesDirectory names a folder that does not exist"]);
            }
            foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                var system = RulesLoader.Load(File.ReadAllBytes(file), file);
                Add(system, file);
                loaded?.Invoke(system);
            }
        }
    }

    public IReadOnlyList<RulesSystem> Systems =>
        [.. _files.Values.Append(_builtin.Value).OrderBy(s => s.Id, StringComparer.Ordinal)];

    public RulesSystem Get(string id) =>
        string.Equals(id, DefaultSystem, StringComparison.OrdinalIgnoreCase) ? _builtin.Value
        : _files.TryGetValue(id, out var system) ? system
        : throw new NotFoundException("rules system", id);

    public static RulesSystem Builtin()
    {
        using var stream = typeof(RulesCatalog).Assembly.GetManifestResourceStream(
            "StoryEngine.Core.Tabletop.Rules.srd-5.1.json"
        ) ?? throw new InvalidOperationException("The SRD 5.1 rules file is missing from the build.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return RulesLoader.Load(bytes.ToArray(), "srd-5.1.json (built in)");
    }

    // The built-in system's id is DefaultSystem (RulesLoaderTests checks the file), so a file can be refused for
    // taking it without parsing the built-in one.
    private void Add(RulesSystem system, string file)
    {
        if (
            string.Equals(system.Id, DefaultSystem, StringComparison.OrdinalIgnoreCase)
            || !_files.TryAdd(system.Id, system)
        )
        {
            throw new RulesFileException(file, [$"$.id: a rules system '{system.Id}' is already loaded"]);
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
