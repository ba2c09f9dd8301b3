using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Presets;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Presets;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Presets.Preset,
    StoryEngine.Server.Contracts.PresetRequest,
    StoryEngine.Server.Contracts.PresetResponse
>;

namespace StoryEngine.Server.Apis;

public static class PresetsApi
{
    public static RouteGroupBuilder MapPresetsApi(this RouteGroupBuilder api)
    {
        var presets = api.MapGroup("/presets").WithTags("Presets");
        // Before the shared routes, so "import" is never read as an id.
        presets
            .MapPost("/import", Import)
            .WithName("ImportPreset")
            .WithSummary(
                "Make a preset of a SillyTavern preset file (text- or chat-completion JSON): multipart 'file' or the "
                    + "raw body, optional 'name' (else the file name); unsupported fields are kept as extras"
            )
            .ProducesProblem(400)
            .ProducesProblem(413)
            .ProducesProblem(415);
        ResourceNames names = new("preset", "presets");
        presets.MapGet("/", Api.List).AsList(names);
        presets.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        presets.MapGet("/{id}", Api.Get).AsGet(names);
        presets.MapPost("/", Api.Create).AsCreate(names);
        presets.MapPut("/{id}", Api.Replace).AsReplace(names);
        presets.MapPatch("/{id}", Api.Patch).AsPatch(names);
        presets.MapDelete("/{id}", Api.Delete).AsDelete(names);
        presets.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        return api;
    }

    private static async Task<ETagged<Created<PresetResponse>>> Import(
        HttpContext context,
        ResourceService<Preset> service,
        CancellationToken cancellationToken
    )
    {
        var upload = await Uploads.ReadAsync(context.Request, cancellationToken);
        var form = context.Request.HasFormContentType ? context.Request.Form : null;
        var name = form?["name"].FirstOrDefault() ?? context.Request.Query["name"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(name))
        {
            name = Path.GetFileNameWithoutExtension(upload.FileName ?? "");
        }
        var preset = SillyTavernPreset.Read(upload.Content, string.IsNullOrWhiteSpace(name) ? "Imported preset" : name);
        var created = await service.CreateAsync(
            new ResourceScope(context.User.UserId(), null),
            preset,
            cancellationToken
        );
        return ETagged.Of(
            ETags.ForVersion(created.Version),
            TypedResults.Created($"/api/v1/presets/{created.Id}", PresetResponse.From(created))
        );
    }
}
