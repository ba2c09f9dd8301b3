using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>The caller's two-factor sign-in (issue 4 §2): enrol, confirm, look, turn off.</summary>
public static class TwoFactorApi
{
    public static RouteGroupBuilder MapTwoFactorApi(this RouteGroupBuilder api)
    {
        var twoFactor = api.MapGroup("/me/2fa").WithTags("Me");
        twoFactor
            .MapGet("/", Status)
            .WithName("GetMyTwoFactor")
            .WithSummary("Whether two-factor sign-in is on, and " + "how many recovery codes are left");
        twoFactor
            .MapPost("/", Begin)
            .WithName("BeginMyTwoFactor")
            .WithSummary(
                "Start enrolling an authenticator app: returns the secret and an otpauth:// URI; nothing "
                    + "changes until confirmed"
            )
            .ProducesProblem(409);
        twoFactor
            .MapPost("/confirm", Confirm)
            .WithName("ConfirmMyTwoFactor")
            .WithSummary(
                "Turn two-factor sign-in on with a code from the app; returns ten one-time recovery codes "
                    + "(shown once)"
            )
            .ProducesProblem(400)
            .ProducesProblem(409);
        // DELETE with a body: the password and a code are what make turning it off safe from a stolen access token.
        twoFactor
            .MapDelete("/", Disable)
            .WithName("DisableMyTwoFactor")
            .WithSummary("Turn two-factor sign-in off: needs your password and a current code or a recovery code")
            .ProducesProblem(400)
            .ProducesProblem(409)
            .ProducesProblem(429);
        return api;
    }

    private static async Task<Ok<TwoFactorStatusResponse>> Status(
        HttpContext context,
        TwoFactorService twoFactor,
        CancellationToken cancellationToken
    )
    {
        var status = await twoFactor.StatusAsync(context.User.UserId(), cancellationToken);
        return TypedResults.Ok(
            new TwoFactorStatusResponse(status.Enabled, status.EnabledAt, status.Pending, status.RecoveryCodesLeft)
        );
    }

    private static async Task<Ok<TwoFactorEnrolmentResponse>> Begin(
        HttpContext context,
        TwoFactorService twoFactor,
        CancellationToken cancellationToken
    )
    {
        var enrolment = await twoFactor.BeginAsync(context.User.UserId(), cancellationToken);
        return TypedResults.Ok(new TwoFactorEnrolmentResponse(enrolment.Secret, enrolment.OtpauthUri));
    }

    private static async Task<Ok<RecoveryCodesResponse>> Confirm(
        ConfirmTwoFactorRequest request,
        HttpContext context,
        TwoFactorService twoFactor,
        CancellationToken cancellationToken
    )
    {
        var codes = await twoFactor.ConfirmAsync(
            context.User.UserId(),
            request.Code,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<NoContent> Disable(
        [Microsoft.AspNetCore.Mvc.FromBody] DisableTwoFactorRequest request,
        HttpContext context,
        TwoFactorService twoFactor,
        CancellationToken cancellationToken
    )
    {
        await twoFactor.DisableAsync(
            context.User.UserId(),
            request.Password,
            request.Code,
            request.RecoveryCode,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.NoContent();
    }
}
