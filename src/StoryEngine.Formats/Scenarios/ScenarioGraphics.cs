using System.Globalization;
using System.Net;
using System.Text;
using SkiaSharp;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Formats.Scenarios;

/// <summary>
/// Pictures of a scenario (issue 24), all from <see cref="ScenarioLayout"/>: the graph as SVG (scenes with findings
/// carry <c>class="finding-error"</c> or <c>finding-warning</c>, the start and endings their own classes, for the
/// editor's styles) and as PNG; the script (every scene's text and choices) as PDF. PNG and PDF are drawn with
/// SkiaSharp, which the server already uses for pictures.
/// </summary>
public static class ScenarioGraphics
{
    public static string Svg(Scenario scenario, ScenarioLayout layout, IReadOnlyList<ScenarioFinding>? findings = null)
    {
        var severity = Severities(findings);
        var svg = new StringBuilder();
        svg.Append(
                CultureInfo.InvariantCulture,
                $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scenario-graph\" width=\"{N(layout.Width)}\" "
            )
            .Append(
                CultureInfo.InvariantCulture,
                $"height=\"{N(layout.Height)}\" viewBox=\"0 0 {N(layout.Width)} {N(layout.Height)}\" "
            )
            .Append("role=\"img\" aria-label=\"")
            .Append(E(scenario.Name))
            .Append("\">\n<title>")
            .Append(E(scenario.Name))
            .Append(
                "</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
            )
            .Append(
                "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n"
            );
        foreach (var edge in scenario.Edges)
        {
            if (!layout.Boxes.TryGetValue(edge.From, out var a) || !layout.Boxes.TryGetValue(edge.To, out var b))
            {
                continue;
            }
            var (x1, y1, x2, y2) = Ends(a, b);
            var cls = "edge" + (severity.TryGetValue("e:" + edge.Id, out var s) ? $" finding-{s}" : "");
            var path =
                edge.From == edge.To
                    ? $"M{N(x1 + 20)},{N(y1)} C{N(x1 + 60)},{N(y1 + 40)} {N(x1 - 20)},{N(y1 + 40)} {N(x1)},{N(y1)}"
                    : $"M{N(x1)},{N(y1)} C{N(x1)},{N((y1 + y2) / 2)} {N(x2)},{N((y1 + y2) / 2)} {N(x2)},{N(y2)}";
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"{cls}\" data-edge=\"{E(edge.Id)}\" d=\"{path}\" ")
                .Append("fill=\"none\" stroke=\"#555\" marker-end=\"url(#arrow)\"><title>")
                .Append(E(edge.Label))
                .Append("</title></path>\n");
        }
        foreach (var node in scenario.Nodes)
        {
            if (!layout.Boxes.TryGetValue(node.Id, out var box))
            {
                continue;
            }
            var cls =
                "node"
                + (node.Id == scenario.StartNodeId ? " start" : "")
                + (node.Ending ? " ending" : "")
                + (severity.TryGetValue("n:" + node.Id, out var s) ? $" finding-{s}" : "");
            var fill =
                s == ScenarioFinding.Error ? "#fdd"
                : s == ScenarioFinding.Warning ? "#ffe9b3"
                : node.Ending ? "#dfd"
                : "#fff";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cls}\" data-node=\"{E(node.Id)}\">")
                .Append(
                    CultureInfo.InvariantCulture,
                    $"<rect x=\"{N(box.X)}\" y=\"{N(box.Y)}\" width=\"{N(ScenarioLayout.NodeWidth)}\" "
                )
                .Append(
                    CultureInfo.InvariantCulture,
                    $"height=\"{N(ScenarioLayout.NodeHeight)}\" rx=\"6\" fill=\"{fill}\" stroke=\"#333\"/>"
                )
                .Append(
                    CultureInfo.InvariantCulture,
                    $"<text x=\"{N(box.X + ScenarioLayout.NodeWidth / 2)}\" y=\"{N(box.Y + 29)}\" "
                )
                .Append("text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"13\">")
                .Append(E(Short(node.Title, 22)))
                .Append("</text></g>\n");
        }
        return svg.Append("</svg>\n").ToString();
    }

    public static byte[] Png(Scenario scenario, ScenarioLayout layout)
    {
        var width = (int)Math.Ceiling(Math.Min(layout.Width, 16_000));
        var height = (int)Math.Ceiling(Math.Min(layout.Height, 16_000));
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var stroke = new SKPaint
        {
            Color = new SKColor(0x55, 0x55, 0x55),
            IsStroke = true,
            StrokeWidth = 1.5f,
            IsAntialias = true,
        };
        using var fill = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var ending = new SKPaint { Color = new SKColor(0xdd, 0xff, 0xdd), IsAntialias = true };
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var font = new SKFont(SKTypeface.Default, 13);
        foreach (var edge in scenario.Edges)
        {
            if (layout.Boxes.TryGetValue(edge.From, out var a) && layout.Boxes.TryGetValue(edge.To, out var b))
            {
                var (x1, y1, x2, y2) = Ends(a, b);
                canvas.DrawLine((float)x1, (float)y1, (float)x2, (float)y2, stroke);
            }
        }
        foreach (var node in scenario.Nodes)
        {
            if (!layout.Boxes.TryGetValue(node.Id, out var box))
            {
                continue;
            }
            var rect = SKRect.Create(
                (float)box.X,
                (float)box.Y,
                (float)ScenarioLayout.NodeWidth,
                (float)ScenarioLayout.NodeHeight
            );
            canvas.DrawRoundRect(rect, 6, 6, node.Ending ? ending : fill);
            canvas.DrawRoundRect(rect, 6, 6, stroke);
            canvas.DrawText(Short(node.Title, 22), rect.MidX, rect.MidY + 5, SKTextAlign.Center, font, ink);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The script: a page per scene in start-first order, with its text, directions and choices.</summary>
    public static byte[] Pdf(Scenario scenario)
    {
        using var output = new MemoryStream();
        using (
            var document = SKDocument.CreatePdf(
                output,
                new SKDocumentPdfMetadata { Title = scenario.Name, Creator = "Story Engine" }
            )
        )
        {
            using var title = new SKFont(SKTypeface.Default, 18);
            using var body = new SKFont(SKTypeface.Default, 11);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            var ordered = scenario.Nodes.OrderBy(n => n.Id == scenario.StartNodeId ? 0 : 1).ToList();
            var titles = scenario.Nodes.ToDictionary(n => n.Id, n => n.Title, StringComparer.Ordinal);
            var page = document.BeginPage(595, 842);
            float y = 60;
            page.DrawText(scenario.Name, 50, y, SKTextAlign.Left, title, ink);
            y += 30;
            foreach (var node in ordered)
            {
                var lines = new List<(string Text, SKFont Font)>
                {
                    ((node.Ending ? "[ending] " : "") + node.Title, title),
                };
                lines.AddRange(Wrap(node.Text, 90).Select(l => (l, body)));
                if (node.Directions.Length > 0)
                {
                    lines.AddRange(Wrap("Directions: " + node.Directions, 90).Select(l => (l, body)));
                }
                foreach (var edge in scenario.Edges.Where(e => e.From == node.Id))
                {
                    var to = titles.TryGetValue(edge.To, out var t) ? t : edge.To;
                    lines.Add(
                        ($"→ {edge.Label} ({to})" + (edge.Condition is { Length: > 0 } c ? $" if {c}" : ""), body)
                    );
                }
                foreach (var (text, font) in lines)
                {
                    if (y > 800)
                    {
                        document.EndPage();
                        page = document.BeginPage(595, 842);
                        y = 60;
                    }
                    y += font == title ? 28 : 15;
                    page.DrawText(text, 50, y, SKTextAlign.Left, font, ink);
                }
                y += 12;
            }
            document.EndPage();
            document.Close();
        }
        return output.ToArray();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        foreach (var paragraph in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = new StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length + word.Length + 1 > width && line.Length > 0)
                {
                    yield return line.ToString();
                    line.Clear();
                }
                line.Append(line.Length > 0 ? " " : "").Append(word);
            }
            yield return line.ToString();
        }
    }

    private static Dictionary<string, string> Severities(IReadOnlyList<ScenarioFinding>? findings)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in findings ?? [])
        {
            foreach (var key in f.Nodes.Select(n => "n:" + n).Concat(f.Edges.Select(e => "e:" + e)))
            {
                if (!result.TryGetValue(key, out var was) || was != ScenarioFinding.Error)
                {
                    result[key] = f.Severity;
                }
            }
        }
        return result;
    }

    private static (double X1, double Y1, double X2, double Y2) Ends(ScenarioLayout.Box a, ScenarioLayout.Box b)
    {
        var x1 = a.X + ScenarioLayout.NodeWidth / 2;
        var x2 = b.X + ScenarioLayout.NodeWidth / 2;
        return b.Layer > a.Layer
            ? (x1, a.Y + ScenarioLayout.NodeHeight, x2, b.Y)
            : (x1, a.Y, x2, b.Y + ScenarioLayout.NodeHeight);
    }

    private static string Short(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
