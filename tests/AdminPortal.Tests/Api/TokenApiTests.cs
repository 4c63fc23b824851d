using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Api;

public sealed class TokenApiTests(PortalApp app) : IClassFixture<PortalApp>
{
    private static string NewName() => $"ci-{Guid.NewGuid():N}"[..16];

    private HttpClient ClientWith(string secret)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    [Fact]
    public async Task Creating_a_token_returns_the_secret_once_and_stores_only_its_hash()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var name = NewName();

        var created = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = "helpdesk" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/tokens/{name}", created.Headers.Location!.OriginalString);
        var body = await created.JsonAsync();
        var secret = body.GetProperty("token").GetString()!;
        Assert.StartsWith("ap_", secret);
        Assert.Equal("Helpdesk", body.GetProperty("info").GetProperty("role").GetString());

        var list = await admin.GetStringAsync("/api/v1/tokens");
        Assert.Contains(name, list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain(secret[10..], list);

        await using var db = await app.DbAsync();
        var row = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Name == name);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), row.TokenHash);
        var stored = string.Join("|", row.Name, row.Role, row.Prefix, row.CreatedBy, Convert.ToBase64String(row.TokenHash));
        Assert.DoesNotContain(secret[10..], stored);
        var audit = Assert.Single(await app.AuditAboutAsync($"token:{name}"));
        Assert.Equal("token.created", audit.Action);
        Assert.DoesNotContain(secret[10..], audit.Details);
    }

    [Fact]
    public async Task A_created_token_authenticates_in_its_role_until_it_is_revoked()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var name = NewName();
        var secret = (await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = Roles.Auditor })).JsonAsync()).GetProperty("token").GetString()!;
        using var client = ClientWith(secret);

        var me = await (await client.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(($"token:{name}", Roles.Auditor), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/audit")).StatusCode);

        var revoked = await admin.DeleteAsync($"/api/v1/tokens/{name}");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(["token.created", "token.revoked"], await app.AuditActionsAboutAsync($"token:{name}"));
        var listed = (await admin.GetFromJsonAsync<List<Dictionary<string, object?>>>("/api/v1/tokens"))!
            .Single(t => t["name"]?.ToString() == name);
        Assert.NotNull(listed["revokedAt"]);
    }

    [Fact]
    public async Task A_duplicate_token_name_is_a_conflict_and_writes_nothing()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var name = NewName();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = Roles.Admin })).StatusCode);
        var before = await app.RowCountsAsync();

        var again = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = Roles.Helpdesk });

        var problem = await again.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task An_unknown_role_is_a_bad_request_naming_the_role_field_and_writes_nothing()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var before = await app.RowCountsAsync();

        var refused = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = NewName(), role = "Superuser" });

        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest);
        var roleErrors = problem.GetProperty("errors").GetProperty("role");
        Assert.Contains("Unknown role 'Superuser'", roleErrors[0].GetString());
        Assert.Contains("Unknown role", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await app.RowCountsAsync());
    }

    public static TheoryData<string, HttpStatusCode> RevokeCases => new()
    {
        { "no-such-token", HttpStatusCode.NotFound },
        { "already-revoked", HttpStatusCode.Conflict },
    };

    [Theory]
    [MemberData(nameof(RevokeCases))]
    public async Task Revoking_a_token_that_is_not_live_is_refused_with_a_problem(string name, HttpStatusCode status)
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        name += "-" + Guid.NewGuid().ToString("N")[..6];
        if (status == HttpStatusCode.Conflict)
        {
            await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = Roles.Admin });
            Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/tokens/{name}")).StatusCode);
        }
        var before = await app.RowCountsAsync();

        await (await admin.DeleteAsync($"/api/v1/tokens/{name}")).AssertProblemAsync(status);

        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task A_token_can_act_only_within_its_role_even_when_managing_tokens_is_denied()
    {
        using var auditor = await app.TokenClientAsync(Roles.Auditor);
        var before = await app.RowCountsAsync();

        var refused = await auditor.PostAsJsonAsync("/api/v1/tokens", new { name = NewName(), role = Roles.Admin });

        await refused.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(before, await app.RowCountsAsync());
        await using var db = await app.DbAsync();
        var denied = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(e => e.Action == "access.denied");
        Assert.Equal("POST /api/v1/tokens", denied.Target);
    }
}
