using System.Net;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Tests.Security;

/// <summary>Text PostgreSQL cannot store (NUL, lone surrogates) is refused or cleaned, never a 500 or a lost event.</summary>
public sealed class HostileTextTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public void Truncating_audit_text_never_cuts_a_surrogate_pair_in_two()
    {
        var text = new string('a', 199) + "\uD83D\uDE00" + "tail"; // the pair sits at 199-200

        Assert.Equal(new string('a', 199), AuditText.Truncate(text, 200));
        Assert.Equal(new string('a', 199) + "\uD83D\uDE00", AuditText.Truncate(text, 201));
        Assert.Equal("short", AuditText.Truncate("short", 200));
    }

    [Fact]
    public async Task An_event_with_nul_and_lone_surrogates_is_stored_cleaned_and_the_chain_verifies()
    {
        var actor = new AuditActor("evil\0actor\uD800", "Auditor", null);

        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(actor, "test.hostile", "target\0x\uDC00", new { note = "a\0b\uD800" }), default);

        await using var db = await app.DbAsync();
        var e = await db.AuditEvents.SingleAsync(x => x.Action == "test.hostile");
        Assert.Equal(("evil\uFFFDactor\uFFFD", "target\uFFFDx\uFFFD"), (e.Actor, e.Target));
        Assert.Equal("a\uFFFDb\uFFFD", System.Text.Json.JsonDocument.Parse(e.Details).RootElement.GetProperty("note").GetString());
        var verified = await app.Service<AuditVerifier>().VerifyAsync(app.Service<NpgsqlDataSource>(), default);
        Assert.True(verified.Ok, verified.Problem);
    }

    [Theory]
    [InlineData("/api/v1/audit?actor=a%00b")]
    [InlineData("/api/v1/audit?target=%00")]
    [InlineData("/api/v1/audit/export?format=csv&action=x%00")]
    public async Task An_audit_filter_with_a_nul_is_a_bad_request(string url)
    {
        using var auditor = await app.TokenClientAsync(Roles.Auditor);

        await (await auditor.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_login_with_a_nul_in_the_email_is_an_ordinary_failure()
    {
        using var browser = new CookieBrowser(app);

        var refused = await browser.PasswordAsync("admin\0@example.test", "whatever password");

        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest || body.Contains("The email or password is not right."), $"{refused.StatusCode}: {body[..Math.Min(300, body.Length)]}");
    }

    [Fact]
    public void Lone_surrogates_count_as_control_characters_and_pairs_do_not()
    {
        // Built in code: a lone surrogate in an attribute argument does not survive compilation.
        Assert.False(OperatorInput.HasControl("ok name \uD834\uDD1E"));
        Assert.True(OperatorInput.HasControl("lone high \uD800 here"));
        Assert.True(OperatorInput.HasControl("lone low \uDC00"));
        Assert.True(OperatorInput.HasControl("ends high \uD834"));
    }
}
