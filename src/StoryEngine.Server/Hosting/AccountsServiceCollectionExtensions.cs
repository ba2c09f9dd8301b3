using Microsoft.Extensions.Options;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Server.Auth;
using StoryEngine.Storage.Accounts;
using StoryEngine.Storage.Audit;

namespace StoryEngine.Server.Hosting;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// Account protection (issue 4): sessions and their per-request check, sign-in throttling (<c>Auth:Lockout</c>),
    /// password changes, administration, the audit log and the "admin" authorization policy.
    /// </summary>
    public static IServiceCollection AddStoryAccounts(this IServiceCollection services)
    {
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LockoutOptions>, LockoutOptionsValidator>();

        services.AddSingleton<ILoginFailureStore, LoginFailureStore>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton(sp => new LoginThrottle(
            sp.GetRequiredService<ILoginFailureStore>(),
            sp.GetRequiredService<IOptions<LockoutOptions>>().Value.ToSettings(),
            sp.GetRequiredService<TimeProvider>()
        ));
        services.AddSingleton(sp => new ActiveSessions(
            sp.GetRequiredService<ISessionStore>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<AuthOptions>>().Value.SessionCheckSeconds)
        ));
        services.AddSingleton<SessionService>();
        services.AddSingleton<PasswordService>();
        services.AddSingleton<UserAdministration>();

        services
            .AddAuthorizationBuilder()
            .AddPolicy(AuthorizationPolicies.Admin, policy =>
                policy.RequireAuthenticatedUser().RequireRole(Roles.Admin)
            );
        return services;
    }
}
