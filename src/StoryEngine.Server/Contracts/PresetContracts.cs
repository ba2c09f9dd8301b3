using System.Text.Json;
using System.Text.Json.Serialization;
using StoryEngine.Core.Presets;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

public sealed record PresetRequest(
    string? Name,
    string? Description = null,
    GenerationFields? Generation = null,
    string? Source = null,
    IReadOnlyDictionary<string, JsonElement>? Extras = null,
    IReadOnlyList<string>? Tags = null
) : IResourceRequest<PresetRequest, Preset>
{
    public Preset ToBody() =>
        new()
        {
            Name = Name ?? "",
            Description = Description ?? "",
            Generation = Generation?.ToSettings() ?? Core.Generation.GenerationSettings.None,
            Source = Source ?? "",
            Extras = Extras ?? new Dictionary<string, JsonElement>(),
            Tags = Tags ?? [],
        };

    public static PresetRequest FromBody(Preset b) =>
        new(b.Name, b.Description, GenerationFields.From(b.Generation), b.Source, b.Extras, b.Tags);
}

/// <summary>A preset; <c>extras</c> are the fields of an imported file that no backend setting of ours takes.</summary>
public sealed record PresetResponse(
    string Id,
    string Name,
    string Description,
    GenerationFields Generation,
    string Source,
    IReadOnlyDictionary<string, JsonElement> Extras,
    IReadOnlyList<string> Tags,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IResourceResponse<PresetResponse, Preset>
{
    public static PresetResponse From(StoredResource<Preset> r) =>
        new(
            r.Id,
            r.Body.Name,
            r.Body.Description,
            GenerationFields.From(r.Body.Generation),
            r.Body.Source,
            r.Body.Extras,
            r.Body.Tags,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}
