using StoryEngine.Bench;
using StoryEngine.Bench.Harness;

// The narrator benchmarks of issue 3; bench/narrator.sh builds Release, runs this and records the machine.
if (args is ["recall" or "recall-quality", ..])
{
    return await StoryEngine.Bench.Memory.MemoryBench.RunAsync(args, Console.Out); // issue 5, bench/memory.sh
}
if (args is ["knowledge-recall" or "embed-throughput" or "knowledge-search" or "knowledge-memory", ..])
{
    return await StoryEngine.Bench.Knowledge.KnowledgeBench.RunAsync(args, Console.Out); // issue 20, bench/knowledge.sh
}
if (args is ["dice-rate" or "rules-turn", ..])
{
    return StoryEngine.Bench.Tabletop.TabletopBench.Run(args, Console.Out); // issue 23, bench/tabletop.sh
}

if (args is ["scenario-graph", ..])
{
    return await StoryEngine.Bench.Scenarios.ScenarioGraphBench.RunAsync(args, Console.Out); // issue 24
}

if (args is ["bedtime", ..])
{
    return await StoryEngine.Bench.Bedtime.BedtimeBench.RunAsync(args, Console.Out); // issue 25, bench/bedtime.sh
}
if (args is ["cluster-streams", ..])
{
    // issue 21, bench/cluster.sh
    return await StoryEngine.Bench.Cluster.ClusterStreamsBench.RunAsync(args, Console.Out);
}
if (args is ["gateway-ttft" or "gateway-cache-replay", ..])
{
    return await StoryEngine.Bench.Gateway.GatewayBench.RunAsync(args, Console.Out); // issue 21, bench/gateway.sh
}
if (args is ["backup", ..])
{
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    return await StoryEngine.Bench.Backups.BackupBench.RunAsync(args, Console.Out, cancel.Token); // issue 16
}
var options = BenchOptions.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
await BenchRunner.RunAsync(options, Console.Out, stop.Token);
return 0;
