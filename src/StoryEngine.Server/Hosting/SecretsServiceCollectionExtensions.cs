using Microsoft.Extensions.Options;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Audit;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Core.Secrets;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Mail;
using StoryEngine.Storage;
using StoryEngine.Storage.ApiKeys;
using StoryEngine.Storage.PasswordReset;
using StoryEngine.Storage.TwoFactor;

namespace StoryEngine.Server.Hosting;

/// <summary>Settings under <c>PasswordReset</c>.</summary>
public sealed class PasswordResetOptions
{
    public const string Section = "PasswordReset";

    /// <summary>Where people reach the server (https://stories.example.com); reset links start with it.</summary>
    public string? PublicUrl { get; set; }

    public int TokenMinutes { get; set; } = 30;
}

public sealed class PasswordResetOptionsValidator : IValidateOptions<PasswordResetOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordResetOptions options)
    {
        var failures = new List<string>();
        if (options.TokenMinutes is < 5 or > 1440)
        {
            failures.Add($"PasswordReset:TokenMinutes must be between 5 and 1440 (got {options.TokenMinutes}).");
        }
        if (
            !string.IsNullOrEmpty(options.PublicUrl)
            && (
                !Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https")
            )
        )
        {
            failures.Add($"PasswordReset:PublicUrl must be an absolute http(s) URL (got '{options.PublicUrl}').");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Secrets at rest (<c>Secrets:Key</c>), API keys, two-factor sign-in, password reset and the mail outbox with its
    /// SMTP sender (<c>Smtp</c>) — issue 4 §1-3 and §7.
    /// </summary>
    public static IServiceCollection AddStorySecrets(this IServiceCollection services)
    {
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecretsOptions>, SecretsOptionsValidator>();
        services.AddSingleton(sp =>
            SecretKeys.Create(
                sp.GetRequiredService<IOptions<SecretsOptions>>().Value,
                sp.GetRequiredService<IOptions<StoryEngineOptions>>().Value
            )
        );

        services.AddSingleton<IApiKeyStore, ApiKeyStore>();
        services.AddSingleton(sp => new ApiKeyService(
            sp.GetRequiredService<IApiKeyStore>(),
            sp.GetRequiredService<IUserStore>(),
            sp.GetRequiredService<ActiveSessions>(),
            sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<AuthOptions>>().Value.SessionCheckSeconds)
        ));

        services.AddSingleton<ITwoFactorStore, TwoFactorStore>();
        services.AddSingleton<TwoFactorService>();
        services.AddSingleton<Core.DataRights.IDeletionConfirmation, TwoFactorDeletionConfirmation>();

        services.AddOptions<PasswordResetOptions>().BindConfiguration(PasswordResetOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PasswordResetOptions>, PasswordResetOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PasswordResetOptions>>().Value;
            return new PasswordResetSettings(
                string.IsNullOrEmpty(options.PublicUrl) ? null : options.PublicUrl,
                TimeSpan.FromMinutes(options.TokenMinutes)
            );
        });
        services.AddSingleton<IPasswordResetStore, PasswordResetStore>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutbox>(sp => new SignallingOutbox(
            new Outbox(sp.GetRequiredService<IStorageProvider>()),
            sp.GetRequiredService<OutboxSignal>()
        ));
        services.AddSingleton<PasswordResetService>();

        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddHostedService<OutboxSender>();
        return services;
    }

    /// <summary>Wakes this process's sender after a mail is queued.</summary>
    private sealed class SignallingOutbox(IOutbox inner, OutboxSignal signal) : IOutbox
    {
        public async Task EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            await inner.EnqueueAsync(message, cancellationToken);
            signal.Notify();
        }

        public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
            DateTimeOffset now,
            DateTimeOffset leaseUntil,
            int limit,
            CancellationToken cancellationToken
        ) => inner.ClaimDueAsync(now, leaseUntil, limit, cancellationToken);

        public Task MarkSentAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.MarkSentAsync(id, now, cancellationToken);

        public Task MarkFailedAsync(
            string id,
            string error,
            DateTimeOffset nextAttemptAt,
            CancellationToken cancellationToken
        ) => inner.MarkFailedAsync(id, error, nextAttemptAt, cancellationToken);

        public Task<int> CountUnsentAsync(CancellationToken cancellationToken) =>
            inner.CountUnsentAsync(cancellationToken);
    }
}
