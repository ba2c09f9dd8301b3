using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Knowledge;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace StoryEngine.Formats.Documents;

/// <summary>
/// The text of an uploaded world document, as sections under their headings (docs/adr/0045-world-documents.md): plain
/// text by blank lines; Markdown through Markdig's syntax tree; HTML through AngleSharp's HTML5 parser (headings h1–h6
/// open sections; paragraphs, list items, quotes, table cells and preformatted blocks are paragraphs; scripts, styles
/// and navigation are skipped); PDF through PdfPig, page by page in reading order; EPUB as a zip of XHTML chapters in
/// the order its package's spine gives, read with the base library's zip and XML readers and then as HTML.
/// </summary>
public sealed class DocumentExtractor : IDocumentExtractor
{
    // An EPUB is a zip: its chapters together may not unpack to more than this (a zip bomb is refused).
    private const long MaxUnpackedBytes = 128L * 1024 * 1024;

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "head",
        "svg",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p",
        "li",
        "blockquote",
        "pre",
        "td",
        "th",
        "dd",
        "dt",
        "figcaption",
        "caption",
        "address",
    };

    private static readonly HashSet<string> Containers = new(StringComparer.OrdinalIgnoreCase)
    {
        "div",
        "section",
        "article",
        "main",
        "body",
        "header",
        "footer",
        "aside",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "figure",
        "html",
        "details",
        "summary",
    };

    public IReadOnlyList<DocumentSection> Extract(string format, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return format switch
        {
            DocumentFormats.Text => FromText(Decode(content)),
            DocumentFormats.Markdown => FromMarkdown(Decode(content)),
            DocumentFormats.Html => FromHtml(Decode(content)),
            DocumentFormats.Pdf => FromPdf(content),
            DocumentFormats.Epub => FromEpub(content),
            _ => throw new UnsupportedFormatException($"World documents cannot be of format '{format}'."),
        };
    }

    /// <summary>UTF-8 (with or without a byte-order mark), or UTF-16 with one; anything else is refused.</summary>
    private static string Decode(byte[] content)
    {
        try
        {
            using var reader = new StreamReader(
                new MemoryStream(content),
                new UTF8Encoding(false, throwOnInvalidBytes: true),
                detectEncodingFromByteOrderMarks: true
            );
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw InvalidFileException.Document(
                "The document is not text in UTF-8 (or UTF-16 with a byte-order mark)."
            );
        }
    }

    public static IReadOnlyList<DocumentSection> FromText(string text) => [new DocumentSection("", Paragraphs(text))];

    private static string[] Paragraphs(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IReadOnlyList<DocumentSection> FromMarkdown(string markdown)
    {
        var pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();
        var document = Markdown.Parse(markdown, pipeline);
        var sections = new Sections();
        foreach (var block in document.Descendants<Block>())
        {
            switch (block)
            {
                case HeadingBlock heading:
                    sections.Heading(heading.Level, Plain(markdown, heading, pipeline));
                    break;
                case ParagraphBlock or CodeBlock or Markdig.Extensions.Tables.Table:
                    sections.Paragraph(Plain(markdown, block, pipeline));
                    sections.Break();
                    break;
            }
        }
        return sections.Done();
    }

    private static string Plain(string markdown, Block block, MarkdownPipeline pipeline)
    {
        if (block.Parent is Markdig.Extensions.Tables.TableCell)
        {
            return "";
        }
        var source = markdown.Substring(
            block.Span.Start,
            Math.Min(block.Span.Length, markdown.Length - block.Span.Start)
        );
        return block is CodeBlock ? source : Markdown.ToPlainText(source, pipeline).Trim();
    }

    public static IReadOnlyList<DocumentSection> FromHtml(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var sections = new Sections();
        if (document.Body is { } body)
        {
            Walk(body, sections);
        }
        return sections.Done();
    }

    private static void Walk(IElement element, Sections sections)
    {
        foreach (var node in element.ChildNodes)
        {
            if (node is IText text)
            {
                sections.Paragraph(text.Data);
                continue;
            }
            if (node is not IElement child || Skipped.Contains(child.LocalName))
            {
                continue;
            }
            if (child.LocalName is ['h' or 'H', >= '1' and <= '6'])
            {
                sections.Heading(child.LocalName[1] - '0', child.TextContent);
            }
            else if (child.LocalName == "br")
            {
                sections.Break();
            }
            else if (Blocks.Contains(child.LocalName) && !child.Children.Any(IsStructural))
            {
                sections.Paragraph(child.TextContent);
                sections.Break();
            }
            else if (Containers.Contains(child.LocalName) || Blocks.Contains(child.LocalName))
            {
                sections.Break();
                Walk(child, sections);
                sections.Break();
            }
            else
            {
                // Inline markup (a, em, span): its words run on in the paragraph around it.
                sections.Paragraph(child.TextContent);
            }
        }
    }

    private static bool IsStructural(IElement e) =>
        Blocks.Contains(e.LocalName) || Containers.Contains(e.LocalName) || e.LocalName is ['h', >= '1' and <= '6'];

    public static IReadOnlyList<DocumentSection> FromPdf(byte[] content)
    {
        try
        {
            using var pdf = PdfDocument.Open(content);
            var sections = new List<DocumentSection>();
            foreach (var page in pdf.GetPages())
            {
                var text = ContentOrderTextExtractor.GetText(page);
                var paragraphs = Paragraphs(text);
                if (paragraphs.Length > 0)
                {
                    sections.Add(new DocumentSection($"Page {page.Number}", paragraphs));
                }
            }
            return sections;
        }
        catch (Exception e) when (e is not StoryEngineException and not OutOfMemoryException)
        {
            throw InvalidFileException.Document($"The PDF could not be read: {e.Message}");
        }
    }

    public static IReadOnlyList<DocumentSection> FromEpub(byte[] content)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            long unpacked = 0;
            string Read(string path)
            {
                var entry = zip.GetEntry(path)
                    ?? throw InvalidFileException.Document($"The EPUB names '{path}', which it does not contain.");
                unpacked += entry.Length;
                if (unpacked > MaxUnpackedBytes)
                {
                    throw InvalidFileException.Document(
                        $"The EPUB unpacks to more than {MaxUnpackedBytes / (1024 * 1024)} MB."
                    );
                }
                using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
                return reader.ReadToEnd();
            }
            var container = XDocument.Parse(Read("META-INF/container.xml"));
            var opfPath = container
                .Descendants()
                .FirstOrDefault(e => e.Name.LocalName == "rootfile")
                ?.Attribute("full-path")
                ?.Value
                ?? throw InvalidFileException.Document("The EPUB's META-INF/container.xml names no package file.");
            var opf = XDocument.Parse(Read(opfPath));
            var folder = opfPath.Contains('/', StringComparison.Ordinal)
                ? opfPath[..(opfPath.LastIndexOf('/') + 1)]
                : "";
            var manifest = opf.Descendants()
                .Where(e => e.Name.LocalName == "item")
                .Select(e => (Id: e.Attribute("id")?.Value, Href: e.Attribute("href")?.Value))
                .Where(i => i.Id is not null && i.Href is not null)
                .GroupBy(i => i.Id!)
                .ToDictionary(g => g.Key, g => g.First().Href!, StringComparer.Ordinal);
            var sections = new List<DocumentSection>();
            foreach (var itemref in opf.Descendants().Where(e => e.Name.LocalName == "itemref"))
            {
                if (itemref.Attribute("idref")?.Value is { } id && manifest.TryGetValue(id, out var href))
                {
                    var path = folder + Uri.UnescapeDataString(href.Split('#')[0]);
                    sections.AddRange(FromHtml(Read(path)));
                }
            }
            return sections;
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException)
        {
            throw InvalidFileException.Document($"The EPUB could not be read: {e.Message}");
        }
    }

    /// <summary>Collects paragraphs under the current heading path.</summary>
    private sealed class Sections
    {
        private readonly List<DocumentSection> _done = [];
        private readonly List<(int Level, string Text)> _path = [];
        private readonly List<string> _paragraphs = [];
        private readonly StringBuilder _current = new();

        public void Heading(int level, string text)
        {
            Break();
            Flush();
            _path.RemoveAll(h => h.Level >= level);
            var clean = DocumentChunker.Normalize(text);
            if (clean.Length > 0)
            {
                _path.Add((level, clean));
            }
        }

        public void Paragraph(string text)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                _current.Append(' ').Append(text);
            }
        }

        public void Break()
        {
            var text = DocumentChunker.Normalize(_current.ToString());
            if (text.Length > 0)
            {
                _paragraphs.Add(text);
            }
            _current.Clear();
        }

        public IReadOnlyList<DocumentSection> Done()
        {
            Break();
            Flush();
            return _done;
        }

        private void Flush()
        {
            if (_paragraphs.Count > 0)
            {
                _done.Add(new DocumentSection(string.Join(" › ", _path.Select(h => h.Text)), [.. _paragraphs]));
                _paragraphs.Clear();
            }
        }
    }
}
