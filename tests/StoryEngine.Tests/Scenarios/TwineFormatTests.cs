using System.Xml.Linq;
using StoryEngine.Core.Scenarios;
using StoryEngine.Formats.Scenarios;
using StoryEngine.Formats.Twine;

namespace StoryEngine.Tests.Scenarios;

/// <summary>Twee 3 and Twine 2 HTML on real public stories (Files/SOURCES.md), and our own exports read back.</summary>
public sealed class TwineFormatTests
{
    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scenarios", "Files", name));

    [Fact]
    public void twee_passages_become_scenes_and_links_choices_with_the_story_data_kept()
    {
        var story = TweeFormat.Read(Fixture("sugarcube_dungeonmoving.twee"));
        Assert.Equal("SugarCube: Moving through a Dungeon", story.Name);
        Assert.Contains("#map", story.Stylesheet, StringComparison.Ordinal);
        var scenario = ScenarioTwine.FromTwine(story);
        Assert.DoesNotContain(scenario.Nodes, n => n.Title is "StoryTitle" or "UserStylesheet");
        var map = Assert.Single(scenario.Nodes, n => n.Title == "Map System");
        // [[North]], [[East]], [[South]], [[West]] and four [[Exit]]s; StoryInit's nested arrays are no links.
        Assert.Equal(8, scenario.Edges.Count(e => e.From == map.Id));
        Assert.DoesNotContain(scenario.Edges, e => e.From == "storyinit");
        // Exit has no links and no ending tag: a dead end, as the issue asks.
        var findings = ScenarioValidator.Validate(scenario);
        Assert.Contains(findings, f => f.Kind == ScenarioValidator.Kinds.DeadEnd && f.Nodes.Contains("exit"));
    }

    [Theory]
    [InlineData("harlowe_cssselectors.twee")]
    [InlineData("sugarcube_dungeonmoving.twee")]
    public void twee_round_trips_through_our_export(string file)
    {
        var first = ScenarioTwine.FromTwine(TweeFormat.Read(Fixture(file)));
        var again = ScenarioTwine.FromTwine(TweeFormat.Read(TweeFormat.Write(ScenarioTwine.ToTwine(first))));
        AssertSameGraph(first, again);
        var html = ScenarioTwine.FromTwine(TwineHtml.Read(TwineHtml.Write(ScenarioTwine.ToTwine(first))));
        AssertSameGraph(first, html);
    }

    [Fact]
    public void twine_html_keeps_positions_tags_start_and_the_story_format()
    {
        var story = TwineHtml.Read(Fixture("snowman_arrays.html"));
        Assert.Equal("Arrays in Snowman", story.Name);
        Assert.Equal("Snowman", story.Format);
        Assert.Equal("Start", story.Start);
        var scenario = ScenarioTwine.FromTwine(story);
        Assert.Equal(6, scenario.Nodes.Count);
        Assert.Equal("start", scenario.StartNodeId);
        Assert.Equal(new ScenarioPoint(617, 246), scenario.Node("start")!.Position);
        Assert.Contains(scenario.Edges, e => e.From == "start" && e.To == "hallway" && e.Label == "Continue");
        Assert.Contains("s.inventory.push('a sword')", scenario.Node("start")!.Text, StringComparison.Ordinal);
        var back = ScenarioTwine.FromTwine(TwineHtml.Read(TwineHtml.Write(ScenarioTwine.ToTwine(scenario))));
        AssertSameGraph(scenario, back);
        Assert.Equal("DBF4E4E6-2E18-404A-B02E-F28E4807F0BA", back.Metadata["twine.ifid"]);
        var twee = ScenarioTwine.FromTwine(TweeFormat.Read(TweeFormat.Write(ScenarioTwine.ToTwine(scenario))));
        AssertSameGraph(scenario, twee);
    }

    [Fact]
    public void a_passage_tagged_ending_or_end_is_an_ending_and_editor_choices_are_written_as_links()
    {
        var scenario = ScenarioTwine.FromTwine(
            TweeFormat.Read(":: Start\nGo on. [[On->Fin]]\n\n:: Fin [end]\nThe end.\n\n:: Epilogue [ending]\nLater.\n")
        );
        Assert.True(scenario.Node("fin")!.Ending);
        Assert.True(scenario.Node("epilogue")!.Ending);
        var edited = scenario with
        {
            Edges =
            [
                .. scenario.Edges,
                new ScenarioEdge
                {
                    Id = "x",
                    From = "fin",
                    To = "epilogue",
                    Label = "Years pass",
                },
            ],
        };
        var twee = TweeFormat.Write(ScenarioTwine.ToTwine(edited));
        Assert.Contains("[[Years pass->Epilogue]]", twee, StringComparison.Ordinal);
        Assert.Contains(":: Fin [end]", twee, StringComparison.Ordinal);
    }

    [Fact]
    public void our_json_and_the_pictures_read_back()
    {
        var scenario = ScenarioTwine.FromTwine(TweeFormat.Read(Fixture("sugarcube_dungeonmoving.twee")));
        var json = ScenarioFiles.Read(System.Text.Encoding.UTF8.GetBytes(ScenarioFiles.WriteJson(scenario)));
        AssertSameGraph(scenario, json);
        var layout = ScenarioLayout.Of(scenario);
        var svg = System.Xml.Linq.XDocument.Parse(
            ScenarioGraphics.Svg(scenario, layout, ScenarioValidator.Validate(scenario))
        );
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(scenario.Nodes.Count, svg.Descendants(ns + "g").Count());
        Assert.Contains(svg.Descendants(ns + "g"), g =>
            ((string?)g.Attribute("class"))!.Contains("finding-warning", StringComparison.Ordinal)
        );
        using var png = SkiaSharp.SKBitmap.Decode(ScenarioGraphics.Png(scenario, layout));
        Assert.Equal((int)Math.Ceiling(layout.Width), png.Width);
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(ScenarioGraphics.Pdf(scenario));
        Assert.True(pdf.NumberOfPages >= 1);
    }

    private static void AssertSameGraph(Scenario expected, Scenario actual)
    {
        Assert.Equal(expected.StartNodeId, actual.StartNodeId);
        Assert.Equal(
            expected.Nodes.Select(n => (n.Id, n.Title, n.Ending, string.Join(' ', n.Tags))),
            actual.Nodes.Select(n => (n.Id, n.Title, n.Ending, string.Join(' ', n.Tags)))
        );
        Assert.Equal(expected.Nodes.Select(n => n.Text.TrimEnd()), actual.Nodes.Select(n => n.Text.TrimEnd()));
        Assert.Equal(
            expected.Edges.Select(e => (e.Id, e.From, e.To, e.Label)),
            actual.Edges.Select(e => (e.Id, e.From, e.To, e.Label))
        );
    }
}
