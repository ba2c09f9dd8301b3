using System.Text;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Knowledge;
using StoryEngine.Formats.Documents;

namespace StoryEngine.Tests.Knowledge;

/// <summary>Each format's text comes out under its headings (issue 20); broken files are refused by name.</summary>
public sealed class DocumentExtractionTests
{
    private readonly DocumentExtractor _extractor = new();

    [Fact]
    public void markdown_sections_follow_the_heading_path_and_lists_become_paragraphs()
    {
        var sections = _extractor.Extract(DocumentFormats.Markdown, Encoding.UTF8.GetBytes(KnowledgeFiles.Bible));

        Assert.Equal(
            ["Vell", "Vell › Tides", "Vell › Trade", "Vell › Rulers", "Vell › Religion", "Vell › Food"],
            sections.Select(s => s.Heading).ToArray()
        );
        var tides = sections.Single(s => s.Heading == "Vell › Tides");
        Assert.StartsWith("The harbour of Vell floods twice each day", Assert.Single(tides.Paragraphs));
        Assert.DoesNotContain("#", string.Concat(sections.SelectMany(s => s.Paragraphs)));
        Assert.Equal(
            ["Bakers make black bread with seaweed flour.", "A festival of honey cakes marks midsummer."],
            sections.Single(s => s.Heading == "Vell › Food").Paragraphs
        );
    }

    [Fact]
    public void html_headings_open_sections_and_scripts_are_skipped()
    {
        var html = KnowledgeFiles.File("almanac.html");
        var withScript = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(html).Replace("<body>", "<body><script>var secret = 1;</script>")
        );

        var sections = _extractor.Extract(DocumentFormats.Html, withScript);

        Assert.Equal(["Almanac of Vell › Tides", "Almanac of Vell › Trade"], sections.Select(s => s.Heading));
        Assert.Contains("grey moon rises", Assert.Single(sections[0].Paragraphs), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", string.Concat(sections.SelectMany(s => s.Paragraphs)));
    }

    [Fact]
    public void a_pdf_printed_by_chromium_gives_its_text_page_by_page()
    {
        var sections = _extractor.Extract(DocumentFormats.Pdf, KnowledgeFiles.File("almanac.pdf"));

        var page = Assert.Single(sections);
        Assert.Equal("Page 1", page.Heading);
        var text = DocumentChunker.Normalize(string.Join(" ", page.Paragraphs));
        Assert.Contains("grey moon rises over the eastern cliffs", text, StringComparison.Ordinal);
        Assert.Contains("Saltfish and amber", text, StringComparison.Ordinal);
    }

    [Fact]
    public void an_epub_is_read_in_spine_order()
    {
        var sections = _extractor.Extract(DocumentFormats.Epub, KnowledgeFiles.Epub());

        Assert.Equal(["The Rise", "The Fall"], sections.Select(s => s.Heading));
        Assert.Equal("The first Ash King forged a crown from volcanic glass.", sections[0].Paragraphs.Single());
    }

    [Fact]
    public void broken_files_are_refused_as_invalid_documents()
    {
        var pdf = Assert.Throws<InvalidFileException>(() =>
            _extractor.Extract(DocumentFormats.Pdf, Encoding.ASCII.GetBytes("%PDF-1.7 this is not a pdf"))
        );
        Assert.Equal("invalid_document", pdf.Code);
        var epub = Assert.Throws<InvalidFileException>(() =>
            _extractor.Extract(DocumentFormats.Epub, Encoding.ASCII.GetBytes("PK not a zip"))
        );
        Assert.Equal("invalid_document", epub.Code);
        var latin1 = Assert.Throws<InvalidFileException>(() =>
            _extractor.Extract(DocumentFormats.Text, [0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF])
        );
        Assert.Equal("invalid_document", latin1.Code);
    }

    [Theory]
    [InlineData("text/markdown", null, "markdown")]
    [InlineData("text/plain", "notes.md", "markdown")]
    [InlineData("application/octet-stream", "book.epub", "epub")]
    [InlineData(null, "page.htm", "html")]
    [InlineData("application/pdf; charset=binary", null, "pdf")]
    [InlineData("text/plain", null, "text")]
    [InlineData("image/png", "x.png", null)]
    public void the_format_comes_from_the_media_type_then_the_name(string? type, string? name, string? format) =>
        Assert.Equal(format, DocumentFormats.Detect(type, name, []));

    [Fact]
    public void chunks_stay_under_their_heading_with_overlap_between_neighbours()
    {
        var sentences = Enumerable.Range(1, 40).Select(i => $"Sentence number {i} tells of the old war.").ToArray();
        var sections = new[]
        {
            new DocumentSection("History", [string.Join(" ", sentences)]),
            new DocumentSection("Maps", ["A short note."]),
        };

        var chunks = DocumentChunker.Chunk(sections, size: 400, overlap: 100);

        Assert.All(chunks, c => Assert.True(c.Text.Length <= 400, $"{c.Text.Length} characters"));
        var history = chunks.Where(c => c.Heading == "History").ToArray();
        Assert.True(history.Length >= 3);
        for (var i = 1; i < history.Length; i++)
        {
            // Each passage begins with words the one before ended with.
            var opening = string.Join(' ', history[i].Text.Split(' ').Take(4));
            Assert.Contains(opening, history[i - 1].Text, StringComparison.Ordinal);
        }
        Assert.Equal("A short note.", chunks.Single(c => c.Heading == "Maps").Text);
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
        // Every sentence is in some passage.
        Assert.All(sentences, s => Assert.Contains(chunks, c => c.Text.Contains(s, StringComparison.Ordinal)));
    }
}
