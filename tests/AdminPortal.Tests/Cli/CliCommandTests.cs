using System.Net;
using System.Net.Http.Headers;
using AdminPortal.Tests.Audit;
using AdminPortal.Tests.Infrastructure;
using Npgsql;

namespace AdminPortal.Tests.Cli;

/// <summary>The portal's commands, run as the real executable against the same database as an in-process portal.</summary>
public sealed class CliCommandTests(PortalApp app) : IClassFixture<PortalApp>
{
    private static Dictionary<string, string> Env(string appCs, string migrationsCs, string dataDirectory) => new()
    {
        ["ConnectionStrings__Portal"] = appCs,
        ["ConnectionStrings__PortalMigrations"] = migrationsCs,
        ["Portal__DataDirectory"] = dataDirectory,
    };

    private Dictionary<string, string> AppEnv()
    {
        _ = app.Server; // the in-process portal migrates and seeds its database on start
        return Env(app.AppConnectionString, app.SuperuserConnectionString, app.DataDirectory);
    }

    private static async Task<object?> ScalarAsync(string cs, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return await cmd.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Migrate_builds_a_fresh_database_once_and_then_reports_it_up_to_date()
    {
        var db = app.Postgres.CreateDatabase("cli");
        var (appCs, superCs) = (app.Postgres.ConnectionString(db, PostgresServer.AppLogin), app.Postgres.ConnectionString(db));
        var env = Env(appCs, superCs, Path.Combine(app.DataDirectory, "migrate"));

        var first = await PortalProcess.RunAsync(env, "migrate");
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("Applied:", first.StdOut);
        var second = await PortalProcess.RunAsync(env, "migrate");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("up to date", second.StdOut);
        Assert.Equal(false, await ScalarAsync(superCs, "SELECT has_table_privilege('portal', 'audit_events', 'UPDATE')"));

        // Straight after migrate, an invited operator really gets the role asked for.
        var admin = await PortalProcess.RunAsync(env, "admin", "create", "--email", "first@example.test", "--role", "Admin");
        Assert.True(admin.ExitCode == 0, admin.StdErr);
        Assert.Equal("Admin", await ScalarAsync(superCs,
            "SELECT r.\"Name\" FROM \"AspNetUsers\" u JOIN \"AspNetUserRoles\" ur ON ur.\"UserId\" = u.\"Id\" JOIN \"AspNetRoles\" r ON r.\"Id\" = ur.\"RoleId\" WHERE u.\"Email\" = $1",
            "first@example.test"));
    }

    [Fact]
    public async Task Token_create_prints_the_token_alone_on_the_last_line_and_it_works_until_revoked()
    {
        var env = AppEnv();
        var name = $"cli-{Guid.NewGuid():N}"[..16];
        var created = await PortalProcess.RunAsync(env, "token", "create", "--name", name, "--role", "Auditor");
        Assert.True(created.ExitCode == 0, created.StdErr);
        var token = created.StdOutLines[^1];
        Assert.Matches("^ap_[A-Za-z0-9_-]{20,}$", token);

        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await me.Content.ReadAsStringAsync();
        Assert.Contains(name, body);
        Assert.Contains("Auditor", body);

        var revoked = await PortalProcess.RunAsync(env, "token", "revoke", "--name", name);
        Assert.True(revoked.ExitCode == 0, revoked.StdErr);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);

        var again = await PortalProcess.RunAsync(env, "token", "revoke", "--name", "no-such-token");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("no-such-token", again.StdErr);
    }

    [Fact]
    public async Task Admin_create_prints_a_one_time_setup_link()
    {
        var email = $"op-{Guid.NewGuid():N}"[..16] + "@example.test";
        var result = await PortalProcess.RunAsync(AppEnv(), "admin", "create", "--email", email, "--role", "SecurityLead");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains(result.StdOutLines, l => l.Contains("/account/setup/"));
        Assert.Equal("SecurityLead", await ScalarAsync(app.SuperuserConnectionString,
            "SELECT r.\"Name\" FROM \"AspNetUsers\" u JOIN \"AspNetUserRoles\" ur ON ur.\"UserId\" = u.\"Id\" JOIN \"AspNetRoles\" r ON r.\"Id\" = ur.\"RoleId\" WHERE u.\"Email\" = $1", email));
    }

    [Theory]
    [InlineData("token", "create", "--name", "wizard-token", "--role", "Wizard")]
    [InlineData("admin", "create", "--email", "wizard@example.test", "--role", "Wizard")]
    public async Task An_unknown_role_fails_with_a_clear_message(params string[] args)
    {
        var result = await PortalProcess.RunAsync(AppEnv(), args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Unknown role 'Wizard'", result.StdErr);
        Assert.DoesNotContain(result.StdOutLines, l => l.StartsWith("ap_") || l.Contains("/account/setup/"));
    }

    [Fact]
    public async Task Audit_verify_exits_0_for_an_intact_chain_and_1_once_a_row_is_changed()
    {
        var db = app.Postgres.CreateDatabase("cliv");
        var superCs = app.Postgres.ConnectionString(db);
        var env = Env(app.Postgres.ConnectionString(db, PostgresServer.AppLogin), superCs, Path.Combine(app.DataDirectory, "verify"));
        Assert.Equal(0, (await PortalProcess.RunAsync(env, "migrate")).ExitCode);
        Assert.Equal(0, (await PortalProcess.RunAsync(env, "token", "create", "--name", "verify-me", "--role", "Auditor")).ExitCode);

        var intact = await PortalProcess.RunAsync(env, "audit", "verify");
        Assert.True(intact.ExitCode == 0, intact.StdOut + intact.StdErr);
        Assert.Contains("\"ok\":true", intact.StdOut);

        Assert.Equal(1, await AuditTamper.ExecuteAsync(superCs, "UPDATE audit_events SET actor = 'someone-else' WHERE sequence = 1"));
        var broken = await PortalProcess.RunAsync(env, "audit", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("\"ok\":false", broken.StdOut);
        Assert.Contains("\"firstBrokenSequence\":1", broken.StdOut);
    }
}
