using Microsoft.Extensions.Options;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Images;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Server.Auth;
using StoryEngine.Storage;
using StoryEngine.Storage.Accounts;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Migrations;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Server.Hosting;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The database (SQLite by default, PostgreSQL when <c>ConnectionStrings:Postgres</c> is set), its stores
    /// and migrations.</summary>
    public static IServiceCollection AddStoryStorage(this IServiceCollection services)
    {
        services
            .AddOptions<StoryEngineOptions>()
            .Configure<IConfiguration>(
                (options, configuration) =>
                {
                    options.DataDir = configuration["DataDir"] is { Length: > 0 } dir ? dir : options.DataDir;
                    options.PostgresConnectionString = configuration.GetConnectionString("Postgres");
                    options.MigrateOnStart = configuration.GetValue("Database:MigrateOnStart", true);
                }
            )
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoryEngineOptions>, StoryEngineOptionsValidator>();

        // The one place that picks the engine; everything that differs between engines comes from its provider.
        services.AddSingleton<IStorageProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoryEngineOptions>>().Value;
            return options.UsesPostgres
                ? new PostgresStorageProvider(options.PostgresConnectionString!)
                : new SqliteStorageProvider(options.SqlitePath);
        });
        services.AddSingleton<MigrationRunner>();

        services.AddSingleton<IResourceStore<World>>(sp => new DocumentStore<World>(
            sp.GetRequiredService<IStorageProvider>(),
            "worlds",
            picture: PictureKind.WorldCover
        ));
        services.AddSingleton<IResourceStore<Persona>>(sp => new DocumentStore<Persona>(
            sp.GetRequiredService<IStorageProvider>(),
            "personas",
            picture: PictureKind.PersonaAvatar
        ));
        services.AddSingleton<IResourceStore<Core.Presets.Preset>>(sp => new DocumentStore<Core.Presets.Preset>(
            sp.GetRequiredService<IStorageProvider>(),
            "presets"
        ));
        services.AddSingleton<IResourceStore<Location>>(sp => new DocumentStore<Location>(
            sp.GetRequiredService<IStorageProvider>(),
            "locations",
            "worlds"
        ));
        services.AddSingleton<IResourceStore<Character>>(sp => new DocumentStore<Character>(
            sp.GetRequiredService<IStorageProvider>(),
            "characters",
            "worlds",
            picture: PictureKind.CharacterAvatar
        ));
        services.AddSingleton<IUserStore, UserStore>();
        services.AddSingleton<ISessionStore, SessionStore>();
        return services;
    }

    /// <summary>Application services of the core: world data and accounts.</summary>
    public static IServiceCollection AddStoryCore(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IResourceRules<World>, NoResourceRules<World>>();
        services.AddSingleton<IResourceRules<Persona>, NoResourceRules<Persona>>();
        services.AddSingleton<IResourceRules<Core.Presets.Preset>, NoResourceRules<Core.Presets.Preset>>();
        services.AddSingleton<IResourceRules<Character>, WorldChildRules<Character>>();
        services.AddSingleton<IResourceRules<Location>, LocationRules>();
        services.AddSingleton(typeof(ResourceService<>));

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(sp => new PasswordHashing(
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.PasswordIterations
        ));
        services.AddSingleton<AccountService>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<AccessTokens>();
        return services;
    }
}
