namespace StoryEngine.Core.Scenarios;

/// <summary>Where each scene is drawn: its layer (row, story depth) and its place in that row, in pixels.</summary>
public sealed record ScenarioLayout(IReadOnlyDictionary<string, ScenarioLayout.Box> Boxes, double Width, double Height)
{
    public readonly record struct Box(double X, double Y, int Layer, int Order);

    public const double NodeWidth = 160;
    public const double NodeHeight = 48;
    public const double GapX = 40;
    public const double GapY = 72;
    public const double Margin = 20;

    /// <summary>
    /// A layered (Sugiyama-style) layout, ADR 0054: choices that lead back (found by a depth-first search from the
    /// start) are turned around so the rest is acyclic; each scene goes on the layer of its longest path from a
    /// source; a few barycentre sweeps order each layer to cut crossings; rows are centred. Linear-ish in the graph
    /// (sweeps × choices × log), so 2,000 scenes lay out in milliseconds.
    /// </summary>
    public static ScenarioLayout Of(Scenario scenario, ScenarioGraph? graph = null)
    {
        graph ??= ScenarioGraph.Of(scenario);
        var n = scenario.Nodes.Count;
        if (n == 0)
        {
            return new(new Dictionary<string, Box>(), 2 * Margin, 2 * Margin);
        }
        var forward = AcyclicArcs(scenario, graph);
        var layer = Layers(n, forward);
        var layers = new List<List<int>>();
        for (var i = 0; i < n; i++)
        {
            while (layers.Count <= layer[i])
            {
                layers.Add([]);
            }
            layers[layer[i]].Add(i);
        }
        var preds = new List<int>[n];
        var succs = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            preds[i] = [];
            succs[i] = [];
        }
        for (var i = 0; i < n; i++)
        {
            foreach (var j in forward[i])
            {
                succs[i].Add(j);
                preds[j].Add(i);
            }
        }
        var position = new double[n];
        foreach (var row in layers)
        {
            for (var k = 0; k < row.Count; k++)
            {
                position[row[k]] = k;
            }
        }
        for (var sweep = 0; sweep < 4; sweep++)
        {
            var down = sweep % 2 == 0;
            for (var l = down ? 1 : layers.Count - 2; down ? l < layers.Count : l >= 0; l += down ? 1 : -1)
            {
                var row = layers[l];
                var keys = new double[row.Count];
                for (var k = 0; k < row.Count; k++)
                {
                    var neighbours = down ? preds[row[k]] : succs[row[k]];
                    keys[k] = neighbours.Count == 0 ? position[row[k]] : neighbours.Average(x => position[x]);
                }
                var sorted = Enumerable.Range(0, row.Count).OrderBy(k => keys[k]).ThenBy(k => k).ToArray();
                var reordered = sorted.Select(k => row[k]).ToList();
                layers[l] = reordered;
                for (var k = 0; k < reordered.Count; k++)
                {
                    position[reordered[k]] = k;
                }
            }
        }
        var widest = layers.Max(r => r.Count);
        var width = 2 * Margin + widest * NodeWidth + (widest - 1) * GapX;
        var height = 2 * Margin + layers.Count * NodeHeight + (layers.Count - 1) * GapY;
        var boxes = new Dictionary<string, Box>(n, StringComparer.Ordinal);
        for (var l = 0; l < layers.Count; l++)
        {
            var row = layers[l];
            var rowWidth = row.Count * NodeWidth + (row.Count - 1) * GapX;
            var left = (width - rowWidth) / 2;
            for (var k = 0; k < row.Count; k++)
            {
                boxes.TryAdd(
                    scenario.Nodes[row[k]].Id,
                    new Box(left + k * (NodeWidth + GapX), Margin + l * (NodeHeight + GapY), l, k)
                );
            }
        }
        return new(boxes, width, height);
    }

    // Depth-first from the start, then from every scene not yet seen: an arc to a scene still on the path is a back
    // arc and is reversed; self-loops are dropped (drawn as loops, not layered).
    private static List<int>[] AcyclicArcs(Scenario scenario, ScenarioGraph graph)
    {
        var n = graph.Out.Length;
        var forward = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            forward[i] = [];
        }
        var state = new byte[n]; // 0 new, 1 on path, 2 done
        var roots = new List<int>();
        if (scenario.StartNodeId is { } s && graph.Index.TryGetValue(s, out var start))
        {
            roots.Add(start);
        }
        roots.AddRange(Enumerable.Range(0, n));
        var stack = new Stack<(int Node, int Next)>();
        foreach (var root in roots)
        {
            if (state[root] != 0)
            {
                continue;
            }
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (v, next) = stack.Pop();
                var arcs = graph.Out[v];
                if (next < arcs.Count)
                {
                    stack.Push((v, next + 1));
                    var w = arcs[next].To;
                    if (w == v)
                    {
                        continue;
                    }
                    if (state[w] == 1)
                    {
                        forward[w].Add(v);
                    }
                    else
                    {
                        forward[v].Add(w);
                        if (state[w] == 0)
                        {
                            state[w] = 1;
                            stack.Push((w, 0));
                        }
                    }
                }
                else
                {
                    state[v] = 2;
                }
            }
        }
        return forward;
    }

    // Longest path from the sources, in topological order (Kahn).
    private static int[] Layers(int n, List<int>[] forward)
    {
        var indegree = new int[n];
        foreach (var arcs in forward)
        {
            foreach (var w in arcs)
            {
                indegree[w]++;
            }
        }
        var queue = new Queue<int>(Enumerable.Range(0, n).Where(i => indegree[i] == 0));
        var layer = new int[n];
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in forward[v])
            {
                layer[w] = Math.Max(layer[w], layer[v] + 1);
                if (--indegree[w] == 0)
                {
                    queue.Enqueue(w);
                }
            }
        }
        return layer;
    }
}
