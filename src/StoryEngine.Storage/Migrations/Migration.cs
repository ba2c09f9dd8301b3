using System.Reflection;
using System.Text.RegularExpressions;

namespace StoryEngine.Storage.Migrations;

/// <summary>One versioned schema change, written in plain SQL for one engine, with the SQL that undoes it.</summary>
public sealed partial record Migration(int Version, string Name, string Up, string Down)
{
    /// <summary>
    /// Reads the embedded files <c>{folder}/NNNN_name.up.sql</c> and <c>NNNN_name.down.sql</c>.
    /// A version without its down script is a build mistake and fails loudly.
    /// </summary>
    public static IReadOnlyList<Migration> LoadEmbedded(string folder)
    {
        var assembly = typeof(Migration).Assembly;
        var prefix = $"{assembly.GetName().Name}.{folder}.Migrations.";
        var scripts = assembly
            .GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Resource: n, Match: FileName().Match(n[prefix.Length..])))
            .Where(x => x.Match.Success)
            .ToLookup(x =>
                (
                    Version: int.Parse(x.Match.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    Name: x.Match.Groups["name"].Value
                )
            );

        return scripts
            .Select(g => new Migration(
                g.Key.Version,
                g.Key.Name,
                Read(assembly, g.Single(x => x.Match.Groups["dir"].Value == "up").Resource),
                Read(
                    assembly,
                    g.SingleOrDefault(x => x.Match.Groups["dir"].Value == "down").Resource
                        ?? throw new InvalidOperationException(
                            $"Migration {g.Key.Version} of {folder} has no down " + "script."
                        )
                )
            ))
            .OrderBy(m => m.Version)
            .ToArray();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Generated at build time: start-up reads every migration's name (issue 19).
    [GeneratedRegex(@"^(?<v>\d{4})_(?<name>[a-z0-9_]+)\.(?<dir>up|down)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
