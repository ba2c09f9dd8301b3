using System.IO.Compression;
using System.Text;

namespace StoryEngine.Tests.Knowledge;

/// <summary>
/// World documents for the knowledge tests: small ones written here, and the files in <c>Knowledge/Files</c>
/// (their sources are in Files/SOURCES.md: the PDF was printed from the HTML by Chromium).
/// </summary>
public static class KnowledgeFiles
{
    /// <summary>A world bible in Markdown: five sections of one setting, each about a different thing.</summary>
    public const string Bible = """
        # Vell

        A harbour town on the northern coast.

        ## Tides

        The harbour of Vell floods twice each day when the grey moon rises over the eastern cliffs. Fishing boats
        wait beyond the breakwater until the water is high enough.

        ## Trade

        Saltfish and amber leave the docks on barges bound for the river cities. The merchant guild takes a tenth of
        every cargo.

        ## Rulers

        Queen Isolde governs from the basalt keep; her council of seven meets on the first day of each season.

        ## Religion

        The temple of the Drowned God keeps a fire burning on the lighthouse, and priests bless every new ship with
        saltwater.

        ## Food

        - Bakers make black bread with seaweed flour.
        - A festival of honey cakes marks midsummer.
        """;

    public static byte[] File(string name) =>
        System.IO.File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Knowledge", "Files", name));

    /// <summary>An EPUB 3 of two chapters, the spine listing the second file first (so order comes from the spine,
    /// not the zip).</summary>
    public static byte[] Epub()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, string text, CompressionLevel level = CompressionLevel.Optimal)
            {
                using var stream = zip.CreateEntry(path, level).Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
            Add("mimetype", "application/epub+zip", CompressionLevel.NoCompression);
            Add(
                "META-INF/container.xml",
                """
                <?xml version="1.0"?>
                <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
                  <rootfiles>
                    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
                  </rootfiles>
                </container>
                """
            );
            Add(
                "OEBPS/content.opf",
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
                  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
                    <dc:identifier id="id">urn:uuid:5f0c3c1e-0000-4000-8000-000000000020</dc:identifier>
                    <dc:title>Chronicle of the Ash Kings</dc:title><dc:language>en</dc:language>
                  </metadata>
                  <manifest>
                    <item id="b" href="text/second.xhtml" media-type="application/xhtml+xml"/>
                    <item id="a" href="text/first.xhtml" media-type="application/xhtml+xml"/>
                  </manifest>
                  <spine><itemref idref="a"/><itemref idref="b"/></spine>
                </package>
                """
            );
            Add("OEBPS/text/second.xhtml", Chapter("The Fall", "The last Ash King drowned in the flooded crypt."));
            Add(
                "OEBPS/text/first.xhtml",
                Chapter("The Rise", "The first Ash King forged a crown from volcanic glass.")
            );
        }
        return buffer.ToArray();
    }

    private static string Chapter(string title, string text) =>
        $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>
            <body><h1>{title}</h1><p>{text}</p></body></html>
            """;
}
