using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Server.Auth;

/// <summary>Mints and checks short-lived signed access tokens (JWT, HMAC-SHA256).</summary>
public sealed class AccessTokens(SigningKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    public const string Issuer = "storyengine";
    public const string Audience = "storyengine-api";
    private const int MaxCachedTokens = 10_000;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly System.Collections.Concurrent.ConcurrentDictionary<
        string,
        (ClaimsIdentity Identity, DateTimeOffset Expires)
    > _validated = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.AccessTokenMinutes);

    public string Issue(User user, string sessionId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(
            new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = Audience,
                IssuedAt = now,
                NotBefore = now,
                Expires = now + Lifetime,
                SigningCredentials = new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256),
                Claims = new Dictionary<string, object>
                {
                    [JwtRegisteredClaimNames.Sub] = user.Id,
                    [JwtRegisteredClaimNames.Sid] = sessionId,
                    ["name"] = user.Username,
                    ["role"] = user.IsAdmin ? "admin" : "user",
                },
            }
        );
    }

    public async Task<ClaimsIdentity?> ValidateAsync(string token, string authenticationType)
    {
        // A client sends the same token with every request for its whole lifetime; checking the signature once
        // and remembering the result until the token expires takes the crypto and JSON parsing off the hot path.
        var now = clock.GetUtcNow();
        if (_validated.TryGetValue(token, out var cached))
        {
            if (cached.Expires > now)
            {
                return cached.Identity;
            }
            _validated.TryRemove(token, out _);
        }
        var identity = await ValidateUncachedAsync(token, authenticationType);
        if (identity is not null && identity.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, out var seconds))
        {
            if (_validated.Count >= MaxCachedTokens)
            {
                _validated.Clear(); // crude but bounded: a flood of distinct tokens cannot grow memory
            }
            _validated[token] = (identity, DateTimeOffset.FromUnixTimeSeconds(seconds));
        }
        return identity;
    }

    private async Task<ClaimsIdentity?> ValidateUncachedAsync(string token, string authenticationType)
    {
        var result = await _handler.ValidateTokenAsync(
            token,
            new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = keys.Key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
                LifetimeValidator = (notBefore, expires, _, _) =>
                    expires is { } e
                    && e > clock.GetUtcNow().UtcDateTime
                    && (notBefore is null || notBefore <= clock.GetUtcNow().UtcDateTime.AddSeconds(30)),
                NameClaimType = "name",
                RoleClaimType = "role",
                AuthenticationType = authenticationType,
            }
        );
        return result.IsValid ? result.ClaimsIdentity : null;
    }
}
