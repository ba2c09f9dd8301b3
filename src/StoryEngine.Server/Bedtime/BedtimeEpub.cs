using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using StoryEngine.Core.Bedtime;

namespace StoryEngine.Server.Bedtime;

/// <summary>
/// A bedtime story as an EPUB 3 book, built with the standard library: a zip whose first entry is the uncompressed
/// <c>mimetype</c>, the container, the package document, a navigation document and one XHTML page per chapter
/// (written with <see cref="XDocument"/>, so text is always escaped).
/// </summary>
public static class BedtimeEpub
{
    public const string MediaType = "application/epub+zip";

    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Epub = "http://www.idpf.org/2007/ops";
    private static readonly XNamespace Opf = "http://www.idpf.org/2007/opf";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace Container = "urn:oasis:names:tc:opendocument:xmlns:container";

    public static string FileName(BedtimeStory story)
    {
        var safe = new string(story.Title.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return (
                safe.Length == 0 ? "bedtime-story"
                : safe.Length > 60 ? safe[..60]
                : safe
            ) + ".epub";
    }

    public static byte[] Write(BedtimeStory story)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            // OCF: mimetype first, stored, no extra field (ZipArchive writes none for stored entries).
            Add(zip, "mimetype", Encoding.ASCII.GetBytes(MediaType), CompressionLevel.NoCompression);
            Add(
                zip,
                "META-INF/container.xml",
                Xml(
                    new XElement(
                        Container + "container",
                        new XAttribute("version", "1.0"),
                        new XElement(
                            Container + "rootfiles",
                            new XElement(
                                Container + "rootfile",
                                new XAttribute("full-path", "OEBPS/content.opf"),
                                new XAttribute("media-type", "application/oebps-package+xml")
                            )
                        )
                    )
                )
            );
            var language = story.Request.Language;
            Add(zip, "OEBPS/content.opf", Xml(Package(story, language)));
            Add(zip, "OEBPS/nav.xhtml", Xml(Page(story.Title, language, Navigation(story))));
            foreach (var chapter in story.Chapters)
            {
                var body = new List<object> { new XElement(Xhtml + "h1", Heading(chapter)) };
                body.AddRange(
                    chapter
                        .Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(p => new XElement(Xhtml + "p", p))
                );
                Add(zip, $"OEBPS/chapter-{chapter.Number}.xhtml", Xml(Page(Heading(chapter), language, body)));
            }
        }
        return buffer.ToArray();
    }

    private static string Heading(BedtimeChapter chapter) =>
        chapter.Title.Length > 0 ? chapter.Title : $"Chapter {chapter.Number}";

    private static XElement Package(BedtimeStory story, string language)
    {
        var manifest = new XElement(
            Opf + "manifest",
            new XElement(
                Opf + "item",
                new XAttribute("id", "nav"),
                new XAttribute("href", "nav.xhtml"),
                new XAttribute("media-type", "application/xhtml+xml"),
                new XAttribute("properties", "nav")
            ),
            story.Chapters.Select(c => new XElement(
                Opf + "item",
                new XAttribute("id", $"chapter-{c.Number}"),
                new XAttribute("href", $"chapter-{c.Number}.xhtml"),
                new XAttribute("media-type", "application/xhtml+xml")
            ))
        );
        return new XElement(
            Opf + "package",
            new XAttribute("version", "3.0"),
            new XAttribute("unique-identifier", "book-id"),
            new XAttribute(XNamespace.Xml + "lang", language),
            new XElement(
                Opf + "metadata",
                new XAttribute(XNamespace.Xmlns + "dc", Dc),
                new XElement(Dc + "identifier", new XAttribute("id", "book-id"), $"urn:uuid:{story.Id}"),
                new XElement(Dc + "title", story.Title),
                new XElement(Dc + "language", language),
                new XElement(Dc + "creator", "Story Engine"),
                new XElement(
                    Opf + "meta",
                    new XAttribute("property", "dcterms:modified"),
                    story.UpdatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)
                )
            ),
            manifest,
            new XElement(
                Opf + "spine",
                story.Chapters.Select(c => new XElement(
                    Opf + "itemref",
                    new XAttribute("idref", $"chapter-{c.Number}")
                ))
            )
        );
    }

    private static List<object> Navigation(BedtimeStory story) =>
        [
            new XElement(Xhtml + "h1", story.Title),
            new XElement(
                Xhtml + "nav",
                new XAttribute(Epub + "type", "toc"),
                new XAttribute("id", "toc"),
                new XElement(
                    Xhtml + "ol",
                    story.Chapters.Select(c => new XElement(
                        Xhtml + "li",
                        new XElement(Xhtml + "a", new XAttribute("href", $"chapter-{c.Number}.xhtml"), Heading(c))
                    ))
                )
            ),
        ];

    private static XElement Page(string title, string language, IEnumerable<object> body) =>
        new(
            Xhtml + "html",
            new XAttribute(XNamespace.Xmlns + "epub", Epub),
            new XAttribute(XNamespace.Xml + "lang", language),
            new XAttribute("lang", language),
            new XElement(Xhtml + "head", new XElement(Xhtml + "title", title)),
            new XElement(Xhtml + "body", body)
        );

    private static byte[] Xml(XElement root)
    {
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            document.Save(writer, SaveOptions.None);
        }
        return stream.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var entry = zip.CreateEntry(name, level).Open();
        entry.Write(data);
    }
}
