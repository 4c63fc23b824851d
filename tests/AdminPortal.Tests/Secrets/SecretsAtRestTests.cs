using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Secrets;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AdminPortal.Tests.Secrets;

/// <summary>A database dump alone reveals no secret; rotating the master key keeps every secret usable.</summary>
public sealed class SecretsAtRestTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_totp_secret_is_stored_encrypted_and_recovery_codes_only_as_hashes()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        var dump = await DumpAsync();
        Assert.DoesNotContain(op.TotpSecret!, dump, StringComparison.OrdinalIgnoreCase);

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AdminPortal.Data.Operators.Operator>>();
        var user = (await users.FindByIdAsync(op.Id))!;
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        dump = await DumpAsync();
        Assert.All(codes, c => Assert.DoesNotContain(c, dump, StringComparison.OrdinalIgnoreCase));
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[0])).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[0])).Succeeded);
    }

    [Fact]
    public async Task Recovery_codes_are_stored_as_hmacs_keyed_from_the_master_key_and_bound_to_the_operator()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        var codes = await app.RecoveryCodesAsync(op);

        var dump = await DumpAsync();
        // Computed independently: HKDF-SHA256 over the key file's bytes, then HMAC-SHA256 over "userId:CODE".
        var master = Convert.FromBase64String(File.ReadAllText(Path.Combine(app.DataDirectory, "master.key")).Trim());
        var key = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, master, 32, [],
            System.Text.Encoding.UTF8.GetBytes("adminportal:recovery-codes"));
        Assert.All(codes, c =>
        {
            var normalized = c.Replace("-", "").ToUpperInvariant();
            var unsalted = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(normalized)));
            Assert.DoesNotContain(unsalted, dump);
            var mac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{op.Id}:{normalized}")));
            Assert.Contains(mac, dump);
        });
    }

    [Fact]
    public async Task Data_protection_keys_in_the_database_are_encrypted_under_the_master_key()
    {
        // Protecting something makes sure the key ring exists.
        app.Service<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        await using var db = await app.DbAsync();
        var keys = await db.DataProtectionKeys.ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Contains("masterKeyEncrypted", k.Xml);
            Assert.DoesNotContain("<value>", k.Xml);
        });
    }

    [Fact]
    public async Task After_a_master_key_rotation_the_portal_reads_its_secrets_with_the_new_key_only()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        var newKeyFile = Path.Combine(app.DataDirectory, "master-2.key");
        var (newKey, _) = MasterKeyFile.Load(newKeyFile, createIfMissing: true);

        var result = await app.Service<MasterKeyRotation>().RotateAsync(newKey, AuditActor.Cli("test"), default);
        Assert.True(result.TotpSecrets >= 1);

        using var restarted = new RestartedPortal(app.Database, app.DataDirectory, newKeyFile);
        var client = await restarted.LoginAsync(op);
        Assert.Contains("Dashboard", await client.GetStringAsync("/"));
        await using var db = await restarted.DbAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "secrets.master_key.rotated"));
    }

    private async Task<string> DumpAsync()
    {
        // What a database dump holds: every text and bytea column of the tables that carry secrets.
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """SELECT coalesce(string_agg(t::text, E'\n'), '') FROM (SELECT * FROM "AspNetUserTokens") t""", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private sealed class RestartedPortal(string database, string dataDirectory, string keyFile) : PortalApp(database, dataDirectory)
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings() => [new("Portal:MasterKeyFile", keyFile)];
    }
}
