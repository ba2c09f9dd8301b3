using System.Text.RegularExpressions;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Http;

namespace StoryEngine.Tests.Api;

/// <summary>
/// One catalogue of problem codes: docs/api.md's Errors table lists exactly the codes of
/// <see cref="ProblemCodes.Catalogue"/>, each under its status, so neither can gain a code the other lacks.
/// </summary>
public sealed partial class ProblemCatalogueTests
{
    [Fact]
    public void the_errors_table_in_the_api_docs_lists_exactly_the_catalogues_codes_under_their_statuses()
    {
        var documented = DocumentedCodes();
        var catalogued = ProblemCodes.Catalogue.SelectMany(k => k.Codes.Select(c => (Code: c, k.Status))).ToArray();

        Assert.Equal(
            catalogued.Select(c => c.Code).Order(StringComparer.Ordinal),
            documented.Keys.Order(StringComparer.Ordinal)
        );
        Assert.All(catalogued, c => Assert.Contains(c.Status, documented[c.Code]));
    }

    [Fact]
    public void every_code_is_catalogued_once_and_every_default_code_under_its_own_status()
    {
        var codes = ProblemCodes.Catalogue.SelectMany(k => k.Codes).ToArray();
        Assert.Equal(codes.Distinct(StringComparer.Ordinal).Count(), codes.Length);
        foreach (var status in new[] { 400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 428, 429, 500, 503 })
        {
            var code = ProblemCodes.ForStatus(status);
            Assert.Contains(ProblemCodes.Catalogue, k => k.Status == status && k.Codes.Contains(code));
        }
    }

    [Fact]
    public void each_refusal_type_gets_the_status_of_its_row_and_carries_a_code_of_that_row()
    {
        var types = typeof(StoryEngineException)
            .Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(StoryEngineException)) && !t.IsAbstract);
        foreach (var type in types)
        {
            Assert.Contains(ProblemCodes.Catalogue, k => k.Exception is { } e && e.IsAssignableFrom(type));
        }
        Assert.Equal(409, ProblemCodes.For(new Core.Stories.TurnInProgressException("a")).Status);
        Assert.Equal(409, ProblemCodes.For(new ConflictException("taken", "username_taken")).Status);
        Assert.Equal(404, ProblemCodes.For(new NotFoundException("turn", "t")).Status);
        // The handler writes a quota problem as 429 with its own fields; pages kept the 400 of its base, and still do.
        var quota = new Core.Usage.QuotaExceededException(
            "daily",
            1,
            1,
            DateTimeOffset.UnixEpoch,
            TimeSpan.FromSeconds(1)
        );
        Assert.Equal(400, ProblemCodes.For(quota).Status);
    }

    // "| 409 | `conflict`, `username_taken` |" and "| 502 / 504 | `a` / `b` (...) |": each code, its row's statuses.
    private static Dictionary<string, int[]> DocumentedCodes()
    {
        var api = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "api.md"));
        var section = api[api.IndexOf("\n## Errors", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var codes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
        {
            var statuses = Regex
                .Matches(row.Groups["status"].Value, "[0-9]{3}")
                .Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))
                .ToArray();
            foreach (Match code in Regex.Matches(row.Groups["codes"].Value, "`([a-z_]+)`"))
            {
                var name = code.Groups[1].Value;
                Assert.True(codes.TryAdd(name, statuses), $"{name} is documented twice");
            }
        }
        return codes;
    }

    [GeneratedRegex(@"^\| (?<status>[0-9][0-9 /]*) \| (?<codes>.*) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
