using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth")
            .WithTags("Auth")
            .AllowAnonymous()
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.AuthPolicy);
        auth.MapPost("/register", Register)
            .WithName("Register")
            .WithSummary("Create an account")
            .ProducesProblem(400)
            .ProducesProblem(409);
        auth.MapPost("/login", Login)
            .WithName("Login")
            .WithSummary("Sign in: get an access token and a refresh token")
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(403);
        auth.MapPost("/refresh", Refresh)
            .WithName("Refresh")
            .WithSummary(
                "Trade a refresh token for new tokens (the old one stops working; using it again signs the "
                    + "session out)"
            )
            .ProducesProblem(401);
        // Not in the anonymous group: signing out needs the access token whose session it ends.
        api.MapPost("/auth/logout", Logout)
            .WithTags("Auth")
            .WithName("Logout")
            .WithSummary("Sign out: this access token's session and its refresh token stop working");
        api.MapGet("/me", Me)
            .WithTags("Auth")
            .WithName("GetMe")
            .WithSummary("The signed-in account")
            .ProducesProblem(401);
        return api;
    }

    private static async Task<Created<UserResponse>> Register(
        RegisterRequest request,
        HttpContext context,
        AccountService accounts,
        CancellationToken cancellationToken
    )
    {
        var user = await accounts.RegisterAsync(
            request.Username,
            request.Password,
            isAdmin: false,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.Created("/api/v1/me", ToResponse(user));
    }

    private static async Task<Ok<TokenResponse>> Login(
        LoginRequest request,
        HttpContext context,
        AccountService accounts,
        AccessTokens tokens,
        CancellationToken cancellationToken
    )
    {
        var signedIn = await accounts.SignInAsync(
            request.Username,
            request.Password,
            request.Code,
            request.RecoveryCode,
            context.Origin(),
            cancellationToken
        );
        return TypedResults.Ok(Tokens(signedIn, tokens));
    }

    private static async Task<Ok<TokenResponse>> Refresh(
        RefreshRequest request,
        HttpContext context,
        AccountService accounts,
        AccessTokens tokens,
        CancellationToken cancellationToken
    )
    {
        var signedIn = await accounts.RefreshAsync(request.RefreshToken, context.Origin(), cancellationToken);
        return TypedResults.Ok(Tokens(signedIn, tokens));
    }

    private static async Task<NoContent> Logout(
        HttpContext context,
        SessionService sessions,
        CancellationToken cancellationToken
    )
    {
        await sessions.LogoutAsync(
            context.User.UserId(),
            context.User.SessionId(),
            context.Origin(),
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UserResponse>> Me(
        HttpContext context,
        IUserStore users,
        CancellationToken cancellationToken
    )
    {
        var id = context.User.UserId();
        var user = await users.GetAsync(id, cancellationToken) ?? throw new NotFoundException("user", id);
        return TypedResults.Ok(ToResponse(user));
    }

    private static TokenResponse Tokens(SignedIn signedIn, AccessTokens tokens) =>
        new(
            "Bearer",
            tokens.Issue(signedIn.User, signedIn.SessionId),
            (int)tokens.Lifetime.TotalSeconds,
            signedIn.RefreshToken
        );

    private static UserResponse ToResponse(User user) => new(user.Id, user.Username, user.IsAdmin, user.CreatedAt);
}
