namespace StoryEngine.Core.Resources;

/// <summary>Field size limits shared by every kind of world data, so clients can learn them once.</summary>
public static class Limits
{
    public const int Name = 200;
    public const int ShortText = 2_000;
    public const int LongText = 50_000;
    public const int Tags = 32;
    public const int Tag = 64;
    public const int ListItems = 64;
}
