using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore;

namespace StoryEngine.Tests.Formats;

/// <summary>Deep comparison of what an import produced, field by field, so a failure names the field that
/// changed.</summary>
public static class Same
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static void Character(Character expected, Character actual) =>
        Json(ToNode(expected), ToNode(actual), "character");

    public static void Book(Lorebook? expected, Lorebook? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            Json(ToNode(expected), ToNode(actual!), "lorebook");
        }
    }

    public static void Json(JsonNode? expected, JsonNode? actual, string at)
    {
        if (JsonNode.DeepEquals(expected, actual))
        {
            return;
        }
        if (expected is JsonObject e && actual is JsonObject a)
        {
            foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
            {
                Json(e[key], a[key], $"{at}.{key}");
            }
            return;
        }
        if (expected is JsonArray ea && actual is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
            {
                Json(ea[i], aa[i], $"{at}[{i}]");
            }
            return;
        }
        Assert.Fail(
            $"{at} differs: expected {expected?.ToJsonString() ?? "(missing)"} "
                + $"but got {actual?.ToJsonString() ?? "(missing)"}"
        );
    }

    /// <summary>
    /// <paramref name="extensions"/> without the <c>assets</c> list a CHARX export adds to name a PNG card's picture
    /// (docs/adr/0008), the one field an export adds by design; what held only that is removed too.
    /// </summary>
    public static JsonObject WithoutCharxIcon(JsonObject extensions)
    {
        var copy = extensions.DeepClone().AsObject();
        var card = copy["storyengine"]!["card"]!.AsObject();
        card["data"]!.AsObject().Remove("assets");
        if (card["data"]!.AsObject().Count == 0)
        {
            card.Remove("data");
        }
        if (card.Count == 0)
        {
            copy["storyengine"]!.AsObject().Remove("card");
        }
        if (copy["storyengine"]!.AsObject().Count == 0)
        {
            copy.Remove("storyengine");
        }
        return copy;
    }

    private static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!;
}
