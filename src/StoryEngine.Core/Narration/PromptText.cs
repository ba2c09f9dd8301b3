using System.Text;
using System.Text.RegularExpressions;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Makes text from players and cards safe to put in a prompt: control characters go, and chat-template markers
/// (<c>&lt;|im_start|&gt;</c>, <c>[INST]</c>, <c>&lt;/s&gt;</c>, <c>### Instruction:</c>, …) are broken with a
/// zero-width
/// space so a tokenizer never reads them as the real control tokens (issue 3, "Context building"); so are role
/// prefixes at the start of a line (<c>system:</c>, <c>Human:</c>), which would otherwise read as a new speaker.
/// </summary>
public static partial class PromptText
{
    private const char Breaker = '\u200B';

    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var kept = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            // A zero-width space of the text's own goes too, so every one in the result is a break made here and
            // Neutralised can count them without running the patterns again.
            if ((!char.IsControl(c) || c is '\n' or '\t') && c != Breaker)
            {
                kept.Append(c == '\r' ? '\n' : c);
            }
        }
        var unmarked = TemplateMarker().Replace(kept.ToString(), m => m.Value[0] + Breaker.ToString() + m.Value[1..]);
        return RolePrefix()
            .Replace(unmarked, m =>
                m.Groups["lead"].Value + m.Groups["role"].Value[0] + Breaker + m.Groups["role"].Value[1..]
            );
    }

    /// <summary>
    /// What <see cref="Clean"/> neutralised in <paramref name="cleaned"/> (text it produced, or a join of such texts),
    /// for the context inspector (issue 15): one scan for the zero-width breaks, so it costs next to nothing when
    /// there are none. A break after <c>&lt;</c>, <c>[</c> or <c>#</c> broke a template marker; one after a letter, a
    /// role prefix.
    /// </summary>
    public static NeutralisedText? Neutralised(string cleaned)
    {
        int roles = 0,
            markers = 0;
        for (var at = cleaned.IndexOf(Breaker); at >= 0; at = cleaned.IndexOf(Breaker, at + 1))
        {
            if (at > 0 && cleaned[at - 1] is '<' or '[' or '#')
            {
                markers++;
            }
            else
            {
                roles++;
            }
        }
        return roles + markers == 0 ? null : new NeutralisedText(roles, markers);
    }

    // "system:", "Human:", "AI:" at the start of a line read as a new speaker to a model fed a plain transcript
    // (issue 15, fault 7); the same zero-width break keeps the word readable and the line no longer a turn marker.
    // Anchored at the line start rather than a look-behind, so the engine jumps from line to line instead of trying
    // the words at every letter: the look-behind form cost ~1 ms per 100 KB of transcript, every turn (issue 14).
    [GeneratedRegex(
        @"^(?<lead>[ \t>*_""'\-]*)(?<role>system|assistant|user|human|ai|model|developer|tool|function|bot)"
            + @"(?=[ \t]*:)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline,
        matchTimeoutMilliseconds: 2_000
    )]
    private static partial Regex RolePrefix();

    // ChatML, Llama 2/3, Mistral, Gemma, Alpaca-style headers, EOS tags. Both patterns run in linear time; the
    // timeout is a safety net, and is the wall clock's: 200 ms tripped on a test machine at a load of 15.
    [GeneratedRegex(
        @"<\|[A-Za-z0-9_]{1,40}\|>|\[/?INST\]|<<\/?SYS>>|</?s>|<(?:start|end)_of_turn>|"
            + @"<\|?(?:eot_id|begin_of_text|start_header_id|end_header_id)\|?>|"
            + @"#{2,4}\s*(?:Instruction|Response|Input|System|Assistant|User)\s*:",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2_000
    )]
    private static partial Regex TemplateMarker();
}

/// <summary>
/// How many role prefixes (<c>system:</c> at a line start) and chat-template markers
/// (<c>&lt;|im_start|&gt;</c>) a section's text had neutralised.
/// </summary>
public sealed record NeutralisedText(int RolePrefixes, int TemplateMarkers)
{
    /// <summary>"2 role prefixes and 1 template marker neutralised".</summary>
    public string Describe()
    {
        var parts = new List<string>(2);
        if (RolePrefixes > 0)
        {
            parts.Add(RolePrefixes == 1 ? "1 role prefix" : $"{RolePrefixes} role prefixes");
        }
        if (TemplateMarkers > 0)
        {
            parts.Add(TemplateMarkers == 1 ? "1 template marker" : $"{TemplateMarkers} template markers");
        }
        return string.Join(" and ", parts) + " neutralised";
    }
}
