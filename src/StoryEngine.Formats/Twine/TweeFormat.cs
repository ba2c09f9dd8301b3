using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Twine;

/// <summary>
/// Twee 3 (https://github.com/iftechfoundation/twine-specs/blob/master/twee-3-specification.md): passages opened by
/// <c>:: Name [tags] {metadata}</c>, the story's name in <c>StoryTitle</c>, its data as JSON in <c>StoryData</c>,
/// its script and stylesheet in passages tagged <c>script</c> and <c>stylesheet</c>.
/// </summary>
public static class TweeFormat
{
    public static bool LooksLikeTwee(string text) =>
        text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith("::", StringComparison.Ordinal);

    public static TwineStory Read(string text)
    {
        var passages = new List<TwinePassage>();
        string? header = null;
        var body = new StringBuilder();
        foreach (var raw in text.TrimStart('\uFEFF').Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("::", StringComparison.Ordinal))
            {
                if (header is not null)
                {
                    passages.Add(Passage(header, body.ToString()));
                }
                header = line[2..];
                body.Clear();
            }
            else if (header is not null)
            {
                body.Append(line).Append('\n');
            }
        }
        if (header is not null)
        {
            passages.Add(Passage(header, body.ToString()));
        }
        if (passages.Count == 0)
        {
            throw new InvalidFileException("invalid_scenario", "The Twee file has no passage (a line starting '::').");
        }
        var title = passages.FirstOrDefault(p => p.Name == "StoryTitle")?.Text.Trim();
        var data = passages.FirstOrDefault(p => p.Name == "StoryData") is { } d ? StoryData(d.Text) : null;
        var script = passages.Where(p => p.Tags.Contains("script")).Select(p => p.Text);
        var style = passages.Where(p => p.Tags.Contains("stylesheet")).Select(p => p.Text);
        return new TwineStory
        {
            Name = string.IsNullOrWhiteSpace(title) ? "Untitled story" : title,
            Ifid = Str(data, "ifid"),
            Format = Str(data, "format"),
            FormatVersion = Str(data, "format-version"),
            Start = Str(data, "start"),
            Zoom = data?["zoom"]?.ToJsonString(),
            TagColors = data?["tag-colors"]?.ToJsonString(),
            Script = string.Join("\n", script),
            Stylesheet = string.Join("\n", style),
            Passages =
            [
                .. passages.Where(p =>
                    p.Name is not ("StoryTitle" or "StoryData")
                    && !p.Tags.Contains("script")
                    && !p.Tags.Contains("stylesheet")
                ),
            ],
        };
    }

    public static string Write(TwineStory story)
    {
        var text = new StringBuilder();
        text.Append(":: StoryTitle\n").Append(story.Name).Append("\n\n");
        var data = new JsonObject { ["ifid"] = story.Ifid ?? Guid.NewGuid().ToString().ToUpperInvariant() };
        if (story.Format is not null)
        {
            data["format"] = story.Format;
        }
        if (story.FormatVersion is not null)
        {
            data["format-version"] = story.FormatVersion;
        }
        if (story.Start is not null)
        {
            data["start"] = story.Start;
        }
        if (story.TagColors is not null)
        {
            data["tag-colors"] = JsonNode.Parse(story.TagColors);
        }
        if (story.Zoom is not null)
        {
            data["zoom"] = JsonNode.Parse(story.Zoom);
        }
        text.Append(":: StoryData\n")
            .Append(data.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))
            .Append("\n\n");
        if (story.Stylesheet.Length > 0)
        {
            text.Append(":: UserStylesheet [stylesheet]\n").Append(story.Stylesheet.TrimEnd('\n')).Append("\n\n");
        }
        if (story.Script.Length > 0)
        {
            text.Append(":: UserScript [script]\n").Append(story.Script.TrimEnd('\n')).Append("\n\n");
        }
        foreach (var passage in story.Passages)
        {
            text.Append(":: ").Append(Escape(passage.Name));
            if (passage.Tags.Count > 0)
            {
                text.Append(" [").Append(string.Join(' ', passage.Tags.Select(Escape))).Append(']');
            }
            var meta = new JsonObject();
            if (passage.Position is not null)
            {
                meta["position"] = passage.Position;
            }
            if (passage.Size is not null)
            {
                meta["size"] = passage.Size;
            }
            if (meta.Count > 0)
            {
                text.Append(' ').Append(meta.ToJsonString());
            }
            // A line of the text that starts with "::" would open a passage: Twee escapes it.
            var body = string.Join(
                '\n',
                passage
                    .Text.TrimEnd('\n')
                    .Split('\n')
                    .Select(l => l.StartsWith("::", StringComparison.Ordinal) ? "\\" + l : l)
            );
            text.Append('\n').Append(body).Append("\n\n");
        }
        return text.ToString();
    }

    private static TwinePassage Passage(string header, string body)
    {
        // name [tags] {metadata}: the name ends at the first unescaped '[' or '{'.
        var name = new StringBuilder();
        var i = 0;
        for (; i < header.Length; i++)
        {
            var c = header[i];
            if (c == '\\' && i + 1 < header.Length)
            {
                name.Append(header[++i]);
                continue;
            }
            if (c is '[' or '{')
            {
                break;
            }
            name.Append(c);
        }
        var rest = header[i..].Trim();
        var tags = new List<string>();
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close > 0)
            {
                tags.AddRange(rest[1..close].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                rest = rest[(close + 1)..].Trim();
            }
        }
        string? position = null;
        string? size = null;
        if (rest.StartsWith('{'))
        {
            try
            {
                var meta = JsonNode.Parse(rest);
                position = meta?["position"]?.GetValue<string>();
                size = meta?["size"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                // Twee 3: "malformed metadata should be ignored"
            }
            catch (InvalidOperationException) { }
        }
        var text = string.Join(
            '\n',
            body.TrimEnd('\n').Split('\n').Select(l => l.StartsWith("\\::", StringComparison.Ordinal) ? l[1..] : l)
        );
        return new TwinePassage(name.ToString().Trim(), tags, text, position, size);
    }

    private static JsonObject? StoryData(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new InvalidFileException("invalid_scenario", $"StoryData is not a JSON object: {e.Message}");
        }
    }

    private static string? Str(JsonObject? data, string key) =>
        data?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s
        : data?[key] is JsonValue n ? n.ToJsonString()
        : null;

    private static string Escape(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is '[' or ']' or '{' or '}' or '\\')
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        return text.ToString();
    }

    internal static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
