using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Core.Usage;

namespace StoryEngine.Tests.Usage;

/// <summary>Issue 15: usage rows the database refused survive the process that kept them.</summary>
public sealed class UsageOutboxTests : IDisposable
{
    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "storyengine-outbox",
        Guid.NewGuid().ToString("N")
    );

    [Fact]
    public void a_kept_row_is_found_by_the_next_process_until_it_is_removed()
    {
        var row = new UsageRecord(
            "u1-row",
            "user-1",
            "adv-1",
            UsagePurposes.Narration,
            "fake",
            "model-a",
            123,
            40,
            false,
            7,
            DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)
        );
        new UsageOutbox(_folder, NullLogger<UsageOutbox>.Instance).Add(row);

        var next = new UsageOutbox(_folder, NullLogger<UsageOutbox>.Instance);
        Assert.Equal([row], next.Rows);
        next.Remove(row.Id);

        Assert.Equal(0, new UsageOutbox(_folder, NullLogger<UsageOutbox>.Instance).Count);
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public void a_file_cut_short_by_a_crash_is_left_alone_and_the_sound_rows_load()
    {
        var row = new UsageRecord(
            "u2-row",
            "user-1",
            null,
            UsagePurposes.Narration,
            null,
            null,
            1,
            2,
            true,
            0,
            DateTimeOffset.UnixEpoch
        );
        new UsageOutbox(_folder, NullLogger<UsageOutbox>.Instance).Add(row);
        File.WriteAllText(Path.Combine(_folder, "cut.json"), "{\"id\":\"cu");

        Assert.Equal([row], new UsageOutbox(_folder, NullLogger<UsageOutbox>.Instance).Rows);
        Assert.True(File.Exists(Path.Combine(_folder, "cut.json")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
