using StoryEngine.Core.Usage;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Http;

/// <summary>
/// Puts the signed-in user's tier on the request, for the rate limiter: its partition callback is synchronous, so
/// the (cached) lookup happens here, after authentication and before the limiter.
/// </summary>
public static class UserTiers
{
    private const string ItemKey = "storyengine.tier";

    public static IApplicationBuilder UseUserTiers(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                if (context.User.Identity?.IsAuthenticated == true)
                {
                    context.Items[ItemKey] = await context
                        .RequestServices.GetRequiredService<TierDirectory>()
                        .OfAsync(context.User.UserId(), context.RequestAborted);
                }
                await next(context);
            }
        );

    /// <summary>The caller's tier, or null when anonymous.</summary>
    public static Tier? TierOf(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var tier) ? tier as Tier : null;
}
