using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Apis;

/// <summary>Forgotten passwords (issue 4 §1): ask for a one-time token by mail, then use it; and the address it goes
/// to.</summary>
public static class PasswordResetApi
{
    public static RouteGroupBuilder MapPasswordResetApi(this RouteGroupBuilder api)
    {
        var reset = api.MapGroup("/auth/password-reset")
            .WithTags("Auth")
            .AllowAnonymous()
            .RequireRateLimiting(ProtectionServiceCollectionExtensions.AuthPolicy);
        reset
            .MapPost("/", Request)
            .WithName("RequestPasswordReset")
            .WithSummary(
                "Ask for a password-reset mail by username or email; always 202, whether or not the " + "account exists"
            )
            .ProducesProblem(400);
        reset
            .MapPost("/confirm", Confirm)
            .WithName("ConfirmPasswordReset")
            .WithSummary("Set a new password with a reset token (single use, 30 minutes); every session is signed out")
            .ProducesProblem(400)
            .ProducesProblem(401);

        var email = api.MapGroup("/me/email").WithTags("Me");
        email.MapGet("/", GetEmail).WithName("GetMyEmail").WithSummary("The address password-reset mail goes to");
        email
            .MapPut("/", SetEmail)
            .WithName("SetMyEmail")
            .WithSummary("Set or clear (null) the address password-reset mail goes to; needs your " + "password")
            .ProducesProblem(400)
            .ProducesProblem(409)
            .ProducesProblem(429);
        return api;
    }

    private static async Task<Accepted<PasswordResetAcceptedResponse>> Request(
        PasswordResetRequest request,
        HttpContext context,
        PasswordResetService resets,
        CancellationToken cancellationToken
    )
    {
        await resets.RequestAsync(request.Username ?? request.Email, context.Origin(), cancellationToken);
        return TypedResults.Accepted(
            (string?)null,
            new PasswordResetAcceptedResponse(
                "If that account exists and has an email address, a reset link is on its way. Without one, ask the "
                    + "server's operator."
            )
        );
    }

    private static async Task<NoContent> Confirm(
        PasswordResetConfirmRequest request,
        HttpContext context,
        PasswordResetService resets,
        CancellationToken cancellationToken
    )
    {
        await resets.ConfirmAsync(request.Token, request.NewPassword, context.Origin(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<EmailResponse>> GetEmail(
        HttpContext context,
        PasswordResetService resets,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(new EmailResponse(await resets.GetEmailAsync(context.User.UserId(), cancellationToken)));

    private static async Task<Ok<EmailResponse>> SetEmail(
        SetEmailRequest request,
        HttpContext context,
        PasswordResetService resets,
        LoginThrottle throttle,
        CancellationToken cancellationToken
    )
    {
        await resets.SetEmailAsync(
            context.User.UserId(),
            request.Email,
            request.Password,
            throttle,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.Ok(new EmailResponse(await resets.GetEmailAsync(context.User.UserId(), cancellationToken)));
    }
}
