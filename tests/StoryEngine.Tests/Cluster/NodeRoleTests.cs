using System.Net;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cluster;

/// <summary>Issue 21: SQLite runs one node and says so to a second; a worker node serves health and metrics
/// only.</summary>
public sealed class NodeRoleTests
{
    [Fact]
    public async Task a_second_server_on_the_same_sqlite_data_directory_is_refused_with_a_clear_message()
    {
        var dataDir = Directory.CreateTempSubdirectory("storyengine-single").FullName;
        var environment = SignedInServer.Environment(await ScriptedBackend.InstanceAsync());
        var (first, _) = await CliProcess.StartServerAsync(dataDir, environment);
        try
        {
            var second = await CliProcess.RunAsync(
                ["serve", "--data-dir", dataDir, "--urls", "http://127.0.0.1:0"],
                environment
            );

            Assert.Equal(1, second.ExitCode);
            Assert.Contains("Another storyengine server is already running", second.Stderr, StringComparison.Ordinal);
            Assert.Contains("PostgreSQL", second.Stderr, StringComparison.Ordinal);
            Assert.False(first.HasExited); // the first one serves on
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            first.Dispose();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task a_worker_node_answers_health_but_no_api_or_pages()
    {
        var worker = new SqliteServerFixture();
        worker.ExtraSettings["Cluster:Role"] = "worker";
        await worker.InitializeAsync();
        try
        {
            using var client = worker.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/me")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task an_unknown_role_stops_the_start_naming_the_key()
    {
        var result = await CliProcess.RunAsync(
            ["serve", "--data-dir", Path.GetTempPath(), "--role", "everything"],
            new Dictionary<string, string>()
        );
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("everything", result.Stderr, StringComparison.Ordinal);
    }
}
