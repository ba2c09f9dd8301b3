using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace StoryEngine.Server.Web;

/// <summary>
/// <c>&lt;input name="notes" value="@stored" echo="form" /&gt;</c>: after a refused post of that form the field shows
/// what the person sent instead of <c>stored</c>, and a complaint about it appears right after the field, tied to it
/// with <c>aria-describedby</c> and <c>aria-invalid</c> (issue 18). Passwords, files and hidden fields are never
/// echoed (a hidden version stays the newest one, so a second send is "keep mine"); their complaints still show.
/// <c>echo-key</c> names the service's field when it differs from the form's (<c>Form.TopP</c> is
/// <c>generation.topP</c>).
/// </summary>
[HtmlTargetElement("input", Attributes = EchoAttribute)]
[HtmlTargetElement("textarea", Attributes = EchoAttribute)]
[HtmlTargetElement("select", Attributes = EchoAttribute)]
public sealed class FormEchoTagHelper(HtmlEncoder encoder) : TagHelper
{
    public const string EchoAttribute = "echo";

    [HtmlAttributeName(EchoAttribute)]
    public FormEcho? Echo { get; set; }

    [HtmlAttributeName("echo-key")]
    public string? Key { get; set; }

    public override void Init(TagHelperContext context)
    {
        // The options below a select read what was sent from here (as the framework's SelectTagHelper does).
        if (context.TagName == "select" && Echo is { Posted: true } echo && Name(context) is { } name)
        {
            context.Items[typeof(FormEchoTagHelper)] = echo.Values(name)?.ToArray() ?? [];
        }
    }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if (Echo is not { Posted: true } echo || Name(context) is not { } name)
        {
            return;
        }
        var type = output.Attributes["type"]?.Value?.ToString()?.ToLowerInvariant() ?? "text";
        switch (context.TagName)
        {
            case "textarea":
                output.Content.SetContent(echo.Value(name, "") ?? "");
                break;
            case "input" when type is "checkbox" or "radio":
                var value = output.Attributes["value"]?.Value?.ToString() ?? "on";
                output.Attributes.RemoveAll("checked");
                if (echo.Values(name) is { } sent && sent.Contains(value))
                {
                    output.Attributes.SetAttribute("checked", "checked");
                }
                break;
            case "input" when type is not ("password" or "file" or "hidden"):
                output.Attributes.SetAttribute("value", echo.Value(name, "") ?? "");
                break;
        }
        Complain(echo.ErrorsFor(Key ?? name), output);
    }

    private void Complain(IReadOnlyList<string> errors, TagHelperOutput output)
    {
        if (errors.Count == 0)
        {
            return;
        }
        var id = (output.Attributes["id"]?.Value?.ToString() ?? Key ?? "field") + "-error";
        var describedBy = output.Attributes["aria-describedby"]?.Value?.ToString();
        output.Attributes.SetAttribute(
            "aria-describedby",
            string.IsNullOrEmpty(describedBy) ? id : $"{id} {describedBy}"
        );
        output.Attributes.SetAttribute("aria-invalid", "true");
        output.PostElement.AppendHtml($"<p class=\"field-error\" id=\"{encoder.Encode(id)}\">");
        output.PostElement.Append(string.Join(" ", errors));
        output.PostElement.AppendHtml("</p>");
    }

    private static string? Name(TagHelperContext context) =>
        context.AllAttributes["name"]?.Value?.ToString() is { Length: > 0 } name ? name : null;
}

/// <summary>Selects the options of an <c>echo</c> select that match what was sent (<see
/// cref="FormEchoTagHelper"/>).</summary>
[HtmlTargetElement("option", ParentTag = "select")]
public sealed class FormEchoOptionTagHelper : TagHelper
{
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if (context.Items.TryGetValue(typeof(FormEchoTagHelper), out var sent) && sent is string[] values)
        {
            var value = output.Attributes["value"]?.Value?.ToString() ?? "";
            output.Attributes.RemoveAll("selected");
            if (values.Contains(value))
            {
                output.Attributes.SetAttribute("selected", "selected");
            }
        }
    }
}
