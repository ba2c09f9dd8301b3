using System.Text.Json;

namespace StoryEngine.Storage.Documents;

/// <summary>How bodies are written to the database: camelCase, like the API, so a row reads like the
/// resource.</summary>
internal static class StorageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
