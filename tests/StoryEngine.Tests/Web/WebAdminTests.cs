using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StoryEngine.Core.Audit;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The admin pages of issue 6 in a real browser: an account's tier and quotas set from the users page (and audited as
/// the admin API audits them), the backends page without any key, and who may open which of the new pages.
/// </summary>
public abstract class WebAdminTests(ServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task an_admin_puts_a_user_on_a_tier_with_quotas_of_their_own_and_the_audit_log_shows_both()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignInAsAdminAsync(page, server);
        using var user = await server.CreateAccountAsync();
        var row = await OpenTierAndQuotasAsync(page, user.Username);
        await Expect(row.Locator(".tier")).ToContainTextAsync("standard");
        await row.GetByLabel($"Tier of {user.Username}").SelectOptionAsync("trial");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Set tier of {user.Username}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{user.Username} is on the trial tier.");

        await OpenTierAndQuotasAsync(page, user.Username);
        await row.GetByLabel($"Daily tokens of {user.Username}").FillAsync("5000");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Set quotas of {user.Username}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{user.Username} is on new quotas.");
        await page.GotoAsync($"/admin/users?q={user.Username}");
        await Expect(row.Locator(".tier")).ToContainTextAsync("trial");
        await Expect(row.Locator(".tier")).ToContainTextAsync("daily 5,000, monthly from the tier");
        await row.GetByText("Tier and quotas").ClickAsync();
        await ScreenshotAsync(page, "admin-users");

        // The user sees it: their own quota for the day, the tier's for the month.
        var usage = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        Assert.Equal("trial", usage.Str("tier"));
        Assert.Equal(5000, usage.GetProperty("daily").GetProperty("limit").GetInt64());
        Assert.Equal(300_000, usage.GetProperty("monthly").GetProperty("limit").GetInt64());

        // Audited with the admin as the actor, as the API's route does; and the audit page shows it.
        var entries = await server.AuditOfAsync(user.Id);
        Assert.Equal("standard->trial", Assert.Single(entries, e => e.Action == AuditActions.TierChanged).Detail);
        Assert.Equal(
            "daily=tier->5000 monthly=tier->tier",
            Assert.Single(entries, e => e.Action == AuditActions.QuotaChanged).Detail
        );
        await page.GotoAsync($"/admin/audit?userIdFilter={user.Id}&action={AuditActions.TierChanged}");
        await Expect(page.Locator("tbody")).ToContainTextAsync("standard->trial");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task a_quota_that_is_not_a_number_is_refused_by_name_and_changes_nothing()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignInAsAdminAsync(page, server);
        using var user = await server.CreateAccountAsync();
        var row = await OpenTierAndQuotasAsync(page, user.Username);
        await row.GetByLabel($"Monthly tokens of {user.Username}").FillAsync("lots");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Set quotas of {user.Username}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Monthly tokens must be a whole number");
        Assert.DoesNotContain(await server.AuditOfAsync(user.Id), e => e.Action == AuditActions.QuotaChanged);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_backends_page_lists_each_backend_and_its_state_but_never_its_key()
    {
        var page = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignInAsAdminAsync(page, server);
        await page.GotoAsync("/admin/backends");
        var backend = page.Locator("#backends > li", new() { HasText = "scripted" });
        await Expect(backend).ToContainTextAsync("openai");
        await Expect(backend).ToContainTextAsync("scripted-1");
        await Expect(backend).ToContainTextAsync("narrator");
        await Expect(backend.Locator("dt:has-text('API key') + dd")).ToHaveTextAsync("set");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check them now" }).ClickAsync();
        await Expect(backend.Locator(".backend-state")).ToContainTextAsync("Up: answering");
        Assert.DoesNotContain(
            AdminServer<SqliteServerFixture>.BackendKey,
            await page.ContentAsync(),
            StringComparison.Ordinal
        );
        await ScreenshotAsync(page, "admin-backends");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task the_new_pages_ask_anonymous_visitors_to_sign_in_and_admin_pages_refuse_other_users()
    {
        var anonymous = await browser.OpenAsync(server.BaseAddress);
        foreach (
            var path in new[]
            {
                "/account/two-factor",
                "/account/api-keys",
                "/account/usage",
                "/admin/backends",
                "/admin/evaluations",
                "/admin/users",
            }
        )
        {
            await anonymous.GotoAsync(path);
            await Expect(anonymous)
                .ToHaveURLAsync(new Regex($"/signin\\?ReturnUrl={Regex.Escape(Uri.EscapeDataString(path))}$"));
        }
        await anonymous.Context.CloseAsync();

        var player = await browser.OpenAsync(server.BaseAddress);
        await WebSteps.SignUpAsync(player);
        foreach (var path in new[] { "/admin/backends", "/admin/users", "/admin/audit" })
        {
            var response = await player.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Expect(player.GetByRole(AriaRole.Alert)).ToContainTextAsync("it is for the server's administrators");
        }
        await Expect(
                player
                    .GetByRole(AriaRole.Navigation, new() { Name = "Main" })
                    .GetByRole(AriaRole.Link, new() { Name = "Admin" })
            )
            .ToHaveCountAsync(0);
        // A non-admin's post to an admin form, with a valid antiforgery token of their own, is refused and changes
        // nothing.
        using var victim = await server.CreateAccountAsync();
        await player.GotoAsync("/account/api-keys");
        var token = await player.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = player.APIRequest.CreateFormData();
        form.Set("id", victim.Id);
        form.Set("tier", "trial");
        form.Set("__RequestVerificationToken", token!);
        var post = await player.APIRequest.PostAsync("/admin/users?handler=Tier", new() { Form = form });
        Assert.Equal(403, post.Status);
        Assert.DoesNotContain(await server.AuditOfAsync(victim.Id), e => e.Action == AuditActions.TierChanged);
        await player.Context.CloseAsync();
    }

    /// <summary>Finds the user on the users page and opens their tier and quota forms; returns their row.</summary>
    private static async Task<ILocator> OpenTierAndQuotasAsync(IPage page, string username)
    {
        await page.GotoAsync($"/admin/users?q={username}");
        var row = page.Locator("tr", new() { HasText = username });
        await row.GetByText("Tier and quotas").ClickAsync();
        return row;
    }

    private Task ScreenshotAsync(IPage page, string name) =>
        server.Engine == "sqlite" ? BrowserFixture.ScreenshotAsync(page, name) : Task.CompletedTask;
}

public sealed class WebAdminTests_Sqlite(SqliteAdminServer admin, BrowserFixture browser)
    : WebAdminTests(admin.Server, browser),
        IClassFixture<SqliteAdminServer>,
        IClassFixture<BrowserFixture>;

public sealed class WebAdminTests_Postgres(PostgresAdminServer admin, BrowserFixture browser)
    : WebAdminTests(admin.Server, browser),
        IClassFixture<PostgresAdminServer>,
        IClassFixture<BrowserFixture>;
