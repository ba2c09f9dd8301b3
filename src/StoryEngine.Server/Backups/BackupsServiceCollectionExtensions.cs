namespace StoryEngine.Server.Backups;

public static class BackupsServiceCollectionExtensions
{
    /// <summary>
    /// Backups (issue 16): the service the `backup` and `restore` commands use, the schedule with retention, the
    /// last outcome in /health and the <c>StoryEngine.Backups</c> meter.
    /// </summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<BackupOptions>, BackupOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<BackupStatus>();
        services.AddSingleton<PgDump>();
        services.AddSingleton<BackupService>();
        services.AddSingleton<BackupVerifier>();
        services.AddSingleton<BackupScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        // Not tagged ready: an old backup is for the operator to see, not a reason to take the node out of service.
        services.AddHealthChecks().AddCheck<BackupHealthCheck>("backups");
        return services;
    }
}
