namespace StoryEngine.Tests.Api;

/// <summary>Scenario bodies for the API tests (issue 24).</summary>
public static class ScenarioTestData
{
    /// <summary>A valid two-scene scenario: the gate, and the road (an ending) through the choice "leave".</summary>
    public static object TwoScenes(string name) =>
        new
        {
            name,
            startNodeId = "gate",
            nodes = new object[]
            {
                new
                {
                    id = "gate",
                    title = "The gate",
                    text = "A locked gate in the fog.",
                    directions = "Keep the ferryman silent.",
                },
                new
                {
                    id = "road",
                    title = "The road",
                    text = "The road runs on into the hills.",
                    ending = true,
                },
            },
            edges = new object[]
            {
                new
                {
                    id = "leave",
                    from = "gate",
                    to = "road",
                    label = "Leave through the gate",
                },
            },
        };

    /// <summary>Three scenes: a hall with a door (open once the key is found) and a cellar where the key lies; the
    /// door leads to the garden, an ending.</summary>
    public static object Hall(string name) =>
        new
        {
            name,
            startNodeId = "hall",
            flags = new Dictionary<string, string> { ["lantern"] = "lit" },
            nodes = new object[]
            {
                new
                {
                    id = "hall",
                    title = "The hall",
                    directions = "Describe the dust.",
                },
                new
                {
                    id = "cellar",
                    title = "The cellar",
                    effects = new[] { new { flag = "key", op = "set" } },
                },
                new
                {
                    id = "garden",
                    title = "The garden",
                    ending = true,
                },
            },
            edges = new object[]
            {
                new
                {
                    id = "down",
                    from = "hall",
                    to = "cellar",
                    label = "Go down to the cellar",
                },
                new
                {
                    id = "up",
                    from = "cellar",
                    to = "hall",
                    label = "Climb back up",
                },
                new
                {
                    id = "door",
                    from = "hall",
                    to = "garden",
                    label = "Open the door",
                    condition = "key",
                    hints = new[] { "unlock", "garden" },
                },
            },
        };
}
