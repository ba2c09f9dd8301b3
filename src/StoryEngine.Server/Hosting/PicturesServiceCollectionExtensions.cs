using Microsoft.Extensions.Options;
using StoryEngine.Core.Images;
using StoryEngine.Formats.Images;
using StoryEngine.Storage.Images;

namespace StoryEngine.Server.Hosting;

public static class PicturesServiceCollectionExtensions
{
    /// <summary>Avatars and covers (section <c>Images</c>): the store and the service that checks, shrinks and
    /// re-encodes uploads.</summary>
    public static IServiceCollection AddPictures(this IServiceCollection services)
    {
        services
            .AddOptions<ImageOptions>()
            .BindConfiguration(ImageOptions.Section)
            .Validate(
                o => o.MaxUploadBytes is >= 1024 and <= 64L * 1024 * 1024,
                "Images:MaxUploadBytes must be between 1024 and 67108864 (64 MiB)."
            )
            .Validate(o => o.MaxSide is >= 32 and <= 4096, "Images:MaxSide must be between 32 and 4096 pixels.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ImageOptions>>().Value);
        services.AddSingleton<IImageStore, ImageStore>();
        services.AddSingleton<PictureService>();
        return services;
    }
}
