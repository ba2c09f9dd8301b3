using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Server.Cluster;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cluster;

/// <summary>Issue 21's bus on a real PostgreSQL: messages published at once by many narrations share NOTIFYs, and
/// every one arrives, whole and in publish order.</summary>
public sealed class PostgresClusterBusTests
{
    [Fact]
    public async Task messages_published_together_share_notifies_and_arrive_whole_and_in_order()
    {
        var database = new TestPostgres();
        var connectionString = await database.CreateAsync();
        try
        {
            await using var bus = new PostgresClusterBus(
                connectionString,
                TimeProvider.System,
                NullLogger<PostgresClusterBus>.Instance
            );
            var received = new List<string>();
            bus.Subscribe("storyengine_test", message =>
            {
                lock (received)
                {
                    received.Add(System.Text.Encoding.UTF8.GetString(message));
                }
            });
            await bus.StartAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            // 600 messages of ~100 bytes from one publisher without waiting for each, as the relay's pumps do
            var sent = Enumerable
                .Range(0, 600)
                .Select(i => $$"""{"k":"tokens","i":{{i}},"x":["{{new string('a', 80)}}\n"]}""")
                .ToArray();
            await Task.WhenAll(sent.Select(m => bus.PublishAsync("storyengine_test", m, CancellationToken.None)));
            // one near the limit still goes alone
            var large = new string('b', bus.MaxMessageBytes);
            await bus.PublishAsync("storyengine_test", large, CancellationToken.None);
            // two that would fill one payload to the limit but for their separators go in two
            var halves = new[] { new string('c', bus.MaxMessageBytes / 2), new string('d', bus.MaxMessageBytes / 2) };
            await Task.WhenAll(halves.Select(m => bus.PublishAsync("storyengine_test", m, CancellationToken.None)));

            await Poll.UntilAsync(
                () =>
                {
                    lock (received)
                    {
                        return received.Count == sent.Length + 3;
                    }
                },
                "not every message arrived"
            );
            Assert.Equal([.. sent, large, .. halves], received);
            Assert.True(bus.Notifications < sent.Length / 5, $"{bus.Notifications} NOTIFYs for {sent.Length} messages");
            await Assert.ThrowsAsync<ArgumentException>(() =>
                bus.PublishAsync("storyengine_test", "a\u001eb", CancellationToken.None)
            );
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public async Task messages_for_several_channels_share_round_trips_and_keep_their_order_on_each_channel()
    {
        var database = new TestPostgres();
        var connectionString = await database.CreateAsync();
        try
        {
            await using var bus = new PostgresClusterBus(
                connectionString,
                TimeProvider.System,
                NullLogger<PostgresClusterBus>.Instance
            );
            var received = new Dictionary<string, List<string>> { ["storyengine_a"] = [], ["storyengine_b"] = [] };
            foreach (var (channel, list) in received)
            {
                bus.Subscribe(channel, message =>
                {
                    lock (list)
                    {
                        list.Add(System.Text.Encoding.UTF8.GetString(message));
                    }
                });
            }
            await bus.StartAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            // interleaved, non-ASCII and escapes included: each channel gets its own, whole, in its order
            var sent = Enumerable
                .Range(0, 400)
                .Select(i =>
                    (
                        Channel: i % 2 == 0 ? "storyengine_a" : "storyengine_b",
                        Message: $$"""{"k":"tokens","i":{{i}},"x":["Ünïcødé ✓ \"{{i}}\"\n"]}"""
                    )
                )
                .ToArray();
            await Task.WhenAll(sent.Select(m => bus.PublishAsync(m.Channel, m.Message, CancellationToken.None)));

            await Poll.UntilAsync(
                () =>
                    received.Values.Sum(l =>
                    {
                        lock (l)
                        {
                            return l.Count;
                        }
                    }) == sent.Length,
                "not every message arrived"
            );
            foreach (var (channel, list) in received)
            {
                Assert.Equal(sent.Where(m => m.Channel == channel).Select(m => m.Message), list);
            }
            Assert.True(bus.Notifications < sent.Length / 5, $"{bus.Notifications} NOTIFYs for {sent.Length} messages");
        }
        finally
        {
            await database.DropAsync();
        }
    }
}
