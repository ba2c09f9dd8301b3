using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Scenarios;
using StoryEngine.Formats.Twine;

namespace StoryEngine.Formats.Scenarios;

/// <summary>Which file an upload is, and the scenario in it: our JSON, Twee 3, or Twine 2 HTML (issue 24).</summary>
public static class ScenarioFiles
{
    public const string JsonFormat = "storyengine-scenario";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Scenario Read(byte[] content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new UnsupportedFormatException(
                "The file is not UTF-8 text: send Twee 3, Twine 2 HTML or scenario JSON."
            );
        }
        var start = text.TrimStart();
        if (start.StartsWith('{'))
        {
            return ReadJson(text);
        }
        if (TwineHtml.LooksLikeTwineHtml(text))
        {
            return ScenarioTwine.FromTwine(TwineHtml.Read(text));
        }
        if (TweeFormat.LooksLikeTwee(text))
        {
            return ScenarioTwine.FromTwine(TweeFormat.Read(text));
        }
        throw new UnsupportedFormatException(
            "This file is neither Twee 3 (passages opened by '::'), Twine 2 HTML (<tw-storydata>) nor scenario JSON."
        );
    }

    public static string WriteJson(Scenario scenario) =>
        JsonSerializer.Serialize(new ScenarioFile(JsonFormat, 1, scenario), Json);

    private static Scenario ReadJson(string text)
    {
        try
        {
            var file = JsonSerializer.Deserialize<ScenarioFile>(text, Json);
            if (file?.Format != JsonFormat || file.Scenario is null)
            {
                throw new InvalidFileException(
                    "invalid_scenario",
                    $"A scenario JSON file has \"format\": \"{JsonFormat}\" and a \"scenario\" object."
                );
            }
            return file.Scenario;
        }
        catch (JsonException e)
        {
            throw new InvalidFileException("invalid_scenario", $"The scenario JSON is not valid: {e.Message}");
        }
    }

    private sealed record ScenarioFile(string Format, int Version, Scenario? Scenario);
}
