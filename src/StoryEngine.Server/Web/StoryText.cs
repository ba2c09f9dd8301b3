using Markdig;
using Markdig.Parsers;
using Markdig.Parsers.Inlines;
using Microsoft.AspNetCore.Html;

namespace StoryEngine.Server.Web;

/// <summary>
/// Story text (narrations, greetings, what the player typed) as HTML: the small Markdown subset that cards and models
/// write and every other storytelling tool shows (issue 18): *emphasis*, **strong**, &gt; quotes, paragraphs and line
/// breaks. Raw HTML is off, so a model or a card can never put markup or a script into the page: `&lt;script&gt;`
/// stays text. Links, images, headings, lists and code blocks are not parsed either: a narration indented by four
/// spaces or starting "1." is prose, and no image is ever fetched from an address a card chose. play.js renders the
/// same subset while a narration streams (docs/adr/0037-story-text-as-a-markdown-subset.md).
/// </summary>
public static class StoryText
{
    private static readonly MarkdownPipeline Pipeline = Build();

    /// <summary>The text as safe HTML; empty text gives nothing.</summary>
    public static IHtmlContent ToHtml(string? text) =>
        string.IsNullOrWhiteSpace(text) ? HtmlString.Empty : new HtmlString(Render(text));

    /// <summary>The HTML as a string (for tests and for callers outside a view).</summary>
    public static string Render(string text) =>
        Markdown.ToHtml(text.Replace("\r\n", "\n", StringComparison.Ordinal), Pipeline);

    private static MarkdownPipeline Build()
    {
        var builder = new MarkdownPipelineBuilder().DisableHtml().UseSoftlineBreakAsHardlineBreak();
        // Blocks: paragraphs and quotes only (thematic breaks stay, as "* * *" between scenes is common).
        builder.BlockParsers.RemoveAll(p => p is not (ParagraphBlockParser or QuoteBlockParser or ThematicBreakParser));
        // "Text\n===" would otherwise become a heading.
        foreach (var paragraphs in builder.BlockParsers.OfType<ParagraphBlockParser>())
        {
            paragraphs.ParseSetextHeadings = false;
        }
        // Inlines: emphasis, backslash escapes, line breaks and character references; no links, autolinks or code.
        builder.InlineParsers.RemoveAll(p =>
            p is not (EmphasisInlineParser or EscapeInlineParser or LineBreakInlineParser or HtmlEntityParser)
        );
        return builder.Build();
    }
}
