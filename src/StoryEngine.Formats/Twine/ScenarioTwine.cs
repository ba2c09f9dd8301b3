using System.Globalization;
using System.Text;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Formats.Twine;

/// <summary>
/// Between Twine stories and scenarios (issue 24): a passage is a scene (its name the title, its text the text, its
/// tags kept, <c>ending</c> or <c>end</c> marking an ending), a link a choice, the start passage the start scene; the
/// story's data (ifid, format, zoom, ...) and its script and stylesheet are kept in the scenario's metadata so an
/// export gives Twine back what it gave us.
/// </summary>
public static class ScenarioTwine
{
    public const string EndingTag = "ending";

    public static Scenario FromTwine(TwineStory story)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var passage in story.Passages)
        {
            if (!ids.ContainsKey(passage.Name))
            {
                ids[passage.Name] = Unique(Slug(passage.Name), used);
            }
        }
        string IdOf(string name)
        {
            if (!ids.TryGetValue(name, out var id))
            {
                ids[name] = id = Unique(Slug(name), used); // a link to a missing passage: validation reports it
            }
            return id;
        }
        var nodes = new List<ScenarioNode>();
        var edges = new List<ScenarioEdge>();
        foreach (var passage in story.Passages.DistinctBy(p => p.Name))
        {
            var id = ids[passage.Name];
            var metadata = new Dictionary<string, string>();
            if (passage.Size is not null)
            {
                metadata["size"] = passage.Size;
            }
            nodes.Add(
                new ScenarioNode
                {
                    Id = id,
                    Title = passage.Name,
                    Text = passage.Text,
                    Tags = passage.Tags,
                    Ending = passage.Tags.Any(t => t is "ending" or "end"),
                    Position = Point(passage.Position),
                    Metadata = metadata,
                }
            );
            var k = 0;
            foreach (var link in TwineLinks.In(passage.Text))
            {
                edges.Add(
                    new ScenarioEdge
                    {
                        Id = $"{id}-{++k}",
                        From = id,
                        To = IdOf(link.Target),
                        Label = link.Label,
                    }
                );
            }
        }
        var start =
            story.Start is { } s && ids.TryGetValue(s, out var startId)
                ? startId
                : nodes.FirstOrDefault(n => n.Title == "Start")?.Id ?? nodes.FirstOrDefault()?.Id;
        var meta = new Dictionary<string, string>();
        void Keep(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                meta[key] = value;
            }
        }
        Keep("twine.ifid", story.Ifid);
        Keep("twine.format", story.Format);
        Keep("twine.formatVersion", story.FormatVersion);
        Keep("twine.zoom", story.Zoom);
        Keep("twine.creator", story.Creator);
        Keep("twine.creatorVersion", story.CreatorVersion);
        Keep("twine.tagColors", story.TagColors);
        Keep("twine.script", story.Script);
        Keep("twine.stylesheet", story.Stylesheet);
        return new Scenario
        {
            Name =
                story.Name.Length > Core.Resources.Limits.Name ? story.Name[..Core.Resources.Limits.Name] : story.Name,
            StartNodeId = start,
            Nodes = nodes,
            Edges = edges,
            Metadata = meta,
        };
    }

    /// <summary>The story of a scenario. A choice whose link is not in its scene's text (one made in our editor) is
    /// added to the text as a link, so Twine shows it; an ending carries the <c>ending</c> tag.</summary>
    public static TwineStory ToTwine(Scenario scenario)
    {
        var titles = scenario.Nodes.ToDictionary(n => n.Id, n => n.Title, StringComparer.Ordinal);
        var passages = new List<TwinePassage>();
        foreach (var node in scenario.Nodes)
        {
            var text = new StringBuilder(node.Text);
            var present = TwineLinks.In(node.Text).ToList();
            foreach (var edge in scenario.Edges.Where(e => e.From == node.Id))
            {
                var target = titles.TryGetValue(edge.To, out var t) ? t : edge.To;
                var index = present.FindIndex(l => l.Target == target && l.Label == edge.Label);
                if (index >= 0)
                {
                    present.RemoveAt(index);
                    continue;
                }
                if (text.Length > 0 && text[^1] != '\n')
                {
                    text.Append('\n');
                }
                text.Append(
                    edge.Label.Length == 0 || edge.Label == target ? $"[[{target}]]" : $"[[{edge.Label}->{target}]]"
                );
            }
            var tags = node.Tags.ToList();
            if (node.Ending && !tags.Any(x => x is "ending" or "end"))
            {
                tags.Add(EndingTag);
            }
            passages.Add(
                new TwinePassage(
                    node.Title,
                    tags,
                    text.ToString(),
                    node.Position is { } p
                        ? string.Create(CultureInfo.InvariantCulture, $"{p.X:0.##},{p.Y:0.##}")
                        : null,
                    node.Metadata.TryGetValue("size", out var size) ? size : null
                )
            );
        }
        string? Meta(string key) => scenario.Metadata.TryGetValue(key, out var v) ? v : null;
        return new TwineStory
        {
            Name = scenario.Name,
            Ifid = Meta("twine.ifid"),
            Format = Meta("twine.format"),
            FormatVersion = Meta("twine.formatVersion"),
            Start = scenario.Node(scenario.StartNodeId)?.Title,
            Zoom = Meta("twine.zoom"),
            Creator = Meta("twine.creator"),
            CreatorVersion = Meta("twine.creatorVersion"),
            TagColors = Meta("twine.tagColors"),
            Script = Meta("twine.script") ?? "",
            Stylesheet = Meta("twine.stylesheet") ?? "",
            Passages = passages,
        };
    }

    private static ScenarioPoint? Point(string? position)
    {
        var parts = position?.Split(',');
        return
            parts is { Length: 2 }
            && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var x)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var y)
            ? new ScenarioPoint(x, y)
            : null;
    }

    private static string Slug(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                text.Append(c);
            }
            else if (text.Length > 0 && text[^1] != '-')
            {
                text.Append('-');
            }
        }
        var slug = text.ToString().Trim('-');
        slug = slug.Length > 48 ? slug[..48].TrimEnd('-') : slug;
        return slug.Length == 0 ? "passage" : slug;
    }

    private static string Unique(string slug, HashSet<string> used)
    {
        var id = slug;
        for (var n = 2; !used.Add(id); n++)
        {
            id = $"{slug}-{n}";
        }
        return id;
    }
}
