using System.Text.Encodings.Web;
using System.Text.Json;

namespace StoryEngine.Formats.Cards;

/// <summary>How exported JSON is written: compact UTF-8, with letters of every script written as themselves.</summary>
public static class CardJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };
}
