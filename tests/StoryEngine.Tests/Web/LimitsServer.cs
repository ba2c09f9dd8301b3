using StoryEngine.Core.Audit;
using StoryEngine.Core.Resources;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// A server of its own for the failure pages' tests: a tier with a tiny rate limit, one with a tiny daily quota, and an
/// audit log that cannot be read, so the admin audit page throws. Its own, so the shared servers keep working.
/// </summary>
public abstract class LimitsServer<TServer> : IAsyncLifetime
    where TServer : ServerFixture, new()
{
    public const string Hurried = "hurried";
    public const string Sparing = "sparing";

    public TServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        Server.ExtraSettings[$"Tiers:{Hurried}:ApiPerMinute"] = "2";
        Server.ExtraSettings[$"Tiers:{Sparing}:DailyTokens"] = "10"; // less than any narration may write
        Server.ServiceOverrides.Add(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IAuditLog));
            services.Add(
                new ServiceDescriptor(
                    typeof(IAuditLog),
                    sp => new UnreadableAuditLog(Create(sp, original)),
                    original.Lifetime
                )
            );
        });
        await Server.InitializeAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();

    private static IAuditLog Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IAuditLog)(
            descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!)
        );

    /// <summary>Records as usual (sign-ins audit), but listing fails the way a bug would: an exception no page
    /// expects.</summary>
    private sealed class UnreadableAuditLog(IAuditLog inner) : IAuditLog
    {
        public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
            inner.AppendAsync(entry, cancellationToken);

        public Task<Page<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The audit log cannot be read (a test's failure on purpose).");
    }
}

public sealed class SqliteLimitsServer : LimitsServer<SqliteServerFixture>;

public sealed class PostgresLimitsServer : LimitsServer<PostgresServerFixture>;
