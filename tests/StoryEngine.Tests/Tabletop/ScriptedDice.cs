using StoryEngine.Core.Tabletop.Dice;

namespace StoryEngine.Tests.Tabletop;

/// <summary>Dice that fall as the test says, in order; a face past a die's sides fails the test.</summary>
public sealed class ScriptedDice(params int[] faces) : IDiceSource
{
    private readonly Queue<int> _faces = new(faces);

    public List<int> Sides { get; } = [];

    public int Next(int sides)
    {
        Sides.Add(sides);
        var face = _faces.Count > 0 ? _faces.Dequeue() : throw new InvalidOperationException("Out of scripted faces.");
        return face >= 1 && face <= sides ? face : throw new InvalidOperationException($"{face} is not on a d{sides}.");
    }
}
