using System.Text.Json;
using System.Text.RegularExpressions;
using StoryEngine.Core.Agents;
using StoryEngine.Tests.Api;

namespace StoryEngine.Tests.Agents;

/// <summary>docs/mcp.md and the tool registry agree: every client tool with its scope, and client set-ups that
/// parse.</summary>
public sealed partial class McpDocsTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "mcp.md"));

    [Fact]
    public void the_tools_table_lists_every_client_tool_with_its_scope()
    {
        var documented = ToolRow()
            .Matches(Doc)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .OrderBy(t => t.Item1, StringComparer.Ordinal)
            .ToArray();
        var registered = StoryTools
            .All()
            .Where(t => (t.Audience & ToolAudience.Clients) != 0)
            .Select(t => (t.Name, t.Scope))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(registered, documented);
    }

    [Fact]
    public void the_client_set_ups_are_json_that_names_the_server()
    {
        var blocks = JsonBlock().Matches(Doc).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, blocks.Length);
        foreach (var block in blocks)
        {
            var server = JsonDocument.Parse(block).RootElement.GetProperty("mcpServers").GetProperty("storyengine");
            Assert.True(server.TryGetProperty("command", out _) || server.TryGetProperty("url", out _));
        }
    }

    [GeneratedRegex(@"^\| `([a-z_]+)` \| (read|write|play|admin) \|", RegexOptions.Multiline)]
    private static partial Regex ToolRow();

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
