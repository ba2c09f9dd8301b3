using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Html.Parser;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Twine;

/// <summary>
/// Twine 2's HTML (https://github.com/iftechfoundation/twine-specs/blob/master/twine-2-htmloutput-spec.md): a
/// <c>tw-storydata</c> element with the story's attributes, its stylesheet and script, and a <c>tw-passagedata</c> per
/// passage. A published story and a library archive both carry it; the first story of a file is read.
/// </summary>
public static class TwineHtml
{
    public static bool LooksLikeTwineHtml(string text) =>
        text.Contains("<tw-storydata", StringComparison.OrdinalIgnoreCase);

    public static TwineStory Read(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var data = document.QuerySelector("tw-storydata")
            ?? throw new InvalidFileException("invalid_scenario", "The HTML file has no <tw-storydata> element.");
        var passages = data.QuerySelectorAll("tw-passagedata").ToArray();
        var start = data.GetAttribute("startnode");
        var startName = passages.FirstOrDefault(p => p.GetAttribute("pid") == start)?.GetAttribute("name");
        return new TwineStory
        {
            Name = data.GetAttribute("name") is { Length: > 0 } name ? name : "Untitled story",
            Ifid = data.GetAttribute("ifid"),
            Format = data.GetAttribute("format"),
            FormatVersion = data.GetAttribute("format-version"),
            Start = startName,
            Zoom = data.GetAttribute("zoom"),
            Creator = data.GetAttribute("creator"),
            CreatorVersion = data.GetAttribute("creator-version"),
            Script = string.Join("\n", data.QuerySelectorAll("script").Select(s => s.TextContent)),
            Stylesheet = string.Join("\n", data.QuerySelectorAll("style").Select(s => s.TextContent)),
            Passages =
            [
                .. passages.Select(p => new TwinePassage(
                    p.GetAttribute("name") ?? "",
                    (p.GetAttribute("tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    p.TextContent,
                    p.GetAttribute("position"),
                    p.GetAttribute("size")
                )),
            ],
        };
    }

    /// <summary>A Twine 2 archive of one story: the file Twine's "Library › Archive" writes, which Twine imports
    /// back.</summary>
    public static string Write(TwineStory story)
    {
        var start = story.Start is null ? 1 : story.Passages.ToList().FindIndex(p => p.Name == story.Start) + 1;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(E(story.Name))
            .Append("</title>\n</head>\n<body>\n");
        html.Append(
                CultureInfo.InvariantCulture,
                $"<tw-storydata name=\"{E(story.Name)}\" startnode=\"{Math.Max(1, start)}\""
            )
            .Append(CultureInfo.InvariantCulture, $" creator=\"{E(story.Creator ?? "Story Engine")}\"")
            .Append(CultureInfo.InvariantCulture, $" creator-version=\"{E(story.CreatorVersion ?? "1")}\"")
            .Append(
                CultureInfo.InvariantCulture,
                $" ifid=\"{E(story.Ifid ?? Guid.NewGuid().ToString().ToUpperInvariant())}\""
            )
            .Append(CultureInfo.InvariantCulture, $" zoom=\"{E(story.Zoom ?? "1")}\"")
            .Append(CultureInfo.InvariantCulture, $" format=\"{E(story.Format ?? "Harlowe")}\"")
            .Append(CultureInfo.InvariantCulture, $" format-version=\"{E(story.FormatVersion ?? "3.3.9")}\"")
            .Append(" options=\"\" hidden>");
        html.Append("<style role=\"stylesheet\" id=\"twine-user-stylesheet\" type=\"text/twine-css\">")
            .Append(E(story.Stylesheet))
            .Append("</style>");
        html.Append("<script role=\"script\" id=\"twine-user-script\" type=\"text/twine-javascript\">")
            .Append(E(story.Script))
            .Append("</script>");
        for (var i = 0; i < story.Passages.Count; i++)
        {
            var p = story.Passages[i];
            html.Append(CultureInfo.InvariantCulture, $"<tw-passagedata pid=\"{i + 1}\" name=\"{E(p.Name)}\"")
                .Append(CultureInfo.InvariantCulture, $" tags=\"{E(string.Join(' ', p.Tags))}\"")
                .Append(CultureInfo.InvariantCulture, $" position=\"{E(p.Position ?? DefaultPosition(i))}\"")
                .Append(CultureInfo.InvariantCulture, $" size=\"{E(p.Size ?? "100,100")}\">")
                .Append(E(p.Text))
                .Append("</tw-passagedata>");
        }
        html.Append("</tw-storydata>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string DefaultPosition(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{100 + i % 8 * 150},{100 + i / 8 * 150}");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
