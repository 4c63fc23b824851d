using System.Net;
using System.Net.Http.Headers;
using AdminPortal.Data.Audit;
using AdminPortal.Testing;
using AdminPortal.Tests.Cli;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using AdminPortal.Web.Tokens;
using Npgsql;

namespace AdminPortal.Tests.Api;

/// <summary>
/// API tokens are served from each instance's memory once looked up: a revocation, wherever it is made, must
/// still be refused at the very next request on every instance, and the memory must not be trusted while the
/// instance is not listening for changes.
/// </summary>
public sealed class TokenCacheTests(PortalApp app) : IClassFixture<PortalApp>
{
    /// <summary>A second portal on the same database and data directory (another instance behind the load balancer).</summary>
    private sealed class SecondInstance(PortalApp first) : PortalApp(first.Database, first.DataDirectory);

    private async Task<(string Name, string Secret)> NewTokenAsync()
    {
        var name = $"cache-{Guid.NewGuid():N}"[..18];
        var created = await app.Service<ApiTokenService>().CreateAsync(name, Roles.Helpdesk, AuditActor.System, default);
        return (name, created.Value!.Token);
    }

    private static HttpClient With(PortalApp portal, string secret)
    {
        var client = portal.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private static async Task<HttpStatusCode> MeAsync(HttpClient client) => (await client.GetAsync("/api/v1/me")).StatusCode;

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        await Eventually.TrueAsync(condition, what);
    }

    /// <summary>Uses the token on the portal until it is held in memory there (the listener must be up for that).</summary>
    private static async Task CachedAsync(PortalApp portal, HttpClient client, string secret)
    {
        _ = portal.Server;
        var cache = portal.Service<ApiTokenCache>();
        await WaitAsync(() => cache.Live, "the token invalidation listener is connected");
        Assert.Equal(HttpStatusCode.OK, await MeAsync(client));
        Assert.NotNull(cache.Find(SecretTokens.Hash(secret)));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(client));
    }

    /// <summary>A new token, held in memory by both instances, and a client of each.</summary>
    private async Task<(string Name, HttpClient Here, HttpClient There)> CachedOnBothAsync(PortalApp second)
    {
        var (name, secret) = await NewTokenAsync();
        var (here, there) = (With(app, secret), With(second, secret));
        await CachedAsync(app, here, secret);
        await CachedAsync(second, there, secret);
        return (name, here, there);
    }

    [Fact]
    public async Task A_token_revoked_through_the_api_is_refused_at_the_next_request_on_both_instances()
    {
        using var second = new SecondInstance(app);
        var (name, here, there) = await CachedOnBothAsync(second);

        using var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/tokens/{name}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(there));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(here));
        Assert.True(app.Service<ApiTokenCache>().Live && second.Service<ApiTokenCache>().Live, "the caches stay in use after a revocation");
    }

    [Fact]
    public async Task A_token_revoked_with_the_cli_is_refused_at_the_next_request_on_both_instances()
    {
        using var second = new SecondInstance(app);
        var (name, here, there) = await CachedOnBothAsync(second);

        var revoked = await PortalProcess.RunAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Portal"] = app.AppConnectionString,
            ["ConnectionStrings__PortalMigrations"] = app.SuperuserConnectionString,
            ["Portal__DataDirectory"] = app.DataDirectory,
        }, "token", "revoke", "--name", name);
        Assert.True(revoked.ExitCode == 0, revoked.StdErr);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(there));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(here));
    }

    [Fact]
    public async Task While_the_listener_is_disconnected_every_request_checks_the_database_and_it_starts_over_empty()
    {
        var (_, secret) = await NewTokenAsync();
        using var client = With(app, secret);
        await CachedAsync(app, client, secret);
        var cache = app.Service<ApiTokenCache>();

        // The server drops the listening session: a change made now would reach no listener.
        Assert.True(await TerminateListenersAsync() > 0);
        await WaitAsync(() => !cache.Live, "the portal notices the lost listener");
        await RevokeWithoutNotificationAsync(secret);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(client));

        // Back again: what was held before the outage is gone, so the change missed meanwhile holds.
        await WaitAsync(() => cache.Live, "the listener reconnects");
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(client));
    }

    private async Task<int> TerminateListenersAsync()
    {
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", conn)
        { Parameters = { new() { Value = ApiTokenInvalidation.ListenerName } } };
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    /// <summary>A revocation whose notification is lost (written behind the portal's back).</summary>
    private async Task RevokeWithoutNotificationAsync(string secret)
    {
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("UPDATE api_tokens SET \"RevokedAt\" = now(), \"RevokedBy\" = 'test' WHERE \"TokenHash\" = $1", conn)
        { Parameters = { new() { Value = SecretTokens.Hash(secret) } } };
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
