using System.Text.Json.Nodes;

namespace StoryEngine.Formats.Json;

/// <summary>Writes an optional value only when it is set, as the formats leave unset settings out.</summary>
internal static class JsonOut
{
    public static void SetIfAny(JsonObject o, string name, int? value)
    {
        if (value is { } v)
        {
            o[name] = v;
        }
    }

    public static void SetIfAny(JsonObject o, string name, bool? value)
    {
        if (value is { } v)
        {
            o[name] = v;
        }
    }
}
