using System.Collections.Concurrent;
using System.Net.Http.Headers;
using AdminPortal.Data;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace AdminPortal.Tests.Infrastructure;

/// <summary>An operator the tests created: <see cref="TotpSecret"/> is null when no second factor is enrolled.</summary>
public sealed record TestOperator(string Id, string Email, string Password, string Role, string? TotpSecret)
{
    /// <summary>The current code, computed by Otp.NET (an implementation independent of ASP.NET Identity's).</summary>
    public string Code() => new Totp(Base32Encoding.ToBytes(TotpSecret!)).ComputeTotp();
}

/// <summary>
/// The portal in-process on a fresh database of the shared test cluster, connected as the application's
/// own login role (member of portal_app), migrated as the superuser, with its own data directory.
/// </summary>
public class PortalApp : WebApplicationFactory<Program>
{
    public PostgresServer Postgres { get; } = PostgresServer.Instance;
    public string Database { get; }
    public string DataDirectory { get; }
    public string AppConnectionString => Postgres.ConnectionString(Database, PostgresServer.AppLogin);
    public string SuperuserConnectionString => Postgres.ConnectionString(Database);

    public PortalApp()
    {
        Database = Postgres.CreateDatabase("portal");
        DataDirectory = Path.Combine(Path.GetTempPath(), "adminportal-data-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDirectory);
        DataDirectoryUsers.AddOrUpdate(DataDirectory, 1, (_, n) => n + 1);
        // Who made it: a folder left behind after a run names the test that never disposed its portal.
        File.WriteAllLines(Path.Combine(DataDirectory, "made-by.txt"),
            Environment.StackTrace.Split('\n').Where(l => l.Contains("AdminPortal.Tests.", StringComparison.Ordinal) && !l.Contains(".PortalApp..ctor", StringComparison.Ordinal)));
    }

    /// <summary>A second portal on an existing database and data directory (a restart, or another instance).</summary>
    protected PortalApp(string database, string dataDirectory)
    {
        Database = database;
        DataDirectory = dataDirectory;
        DataDirectoryUsers.AddOrUpdate(DataDirectory, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// How many portals use each data directory: the last one disposed deletes it. (Deleted by the first one, it
    /// came back as soon as another still running wrote a checkpoint, a log line or a master key into it.)
    /// </summary>
    private static readonly ConcurrentDictionary<string, int> DataDirectoryUsers = new();
    private int _released;

    /// <summary>Extra configuration for a subclass (settings are read before the host is built).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings() => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", AppConnectionString);
        builder.UseSetting("ConnectionStrings:PortalMigrations", SuperuserConnectionString);
        builder.UseSetting("Portal:DataDirectory", DataDirectory);
        builder.UseSetting("Portal:PublicUrl", "http://localhost");
        // Every in-process request comes from one address: only LoginThrottleTests keep the per-address limit low.
        builder.UseSetting("Portal:LoginThrottle:FailuresPerAddress", "1000000");
        // Added as a configuration source: UseSetting gives the parent keys empty values, which Serilog reads as sink names.
        var scanLog = SecretsScan.ScanArtifacts.LogSettings($"portal-{Database}").ToList();
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(scanLog!));
        foreach (var (k, v) in Settings()) builder.UseSetting(k, v);
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Creates an operator with a password and (by default) an enrolled TOTP second factor.</summary>
    public async Task<TestOperator> CreateOperatorAsync(string role, bool enrolTotp = true, string? email = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Operator>>();
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20] + "@example.test";
        const string password = "correct horse battery staple";
        var op = new Operator { UserName = email, Email = email, EmailConfirmed = true, DisplayName = role, CreatedAt = DateTimeOffset.UtcNow };
        Check(await users.CreateAsync(op, password));
        Check(await users.AddToRoleAsync(op, role));
        string? secret = null;
        if (enrolTotp)
        {
            Check(await users.ResetAuthenticatorKeyAsync(op));
            secret = await users.GetAuthenticatorKeyAsync(op);
            Check(await users.SetTwoFactorEnabledAsync(op, true));
        }
        SecretsScan.ScanArtifacts.Record("operator password", password);
        SecretsScan.ScanArtifacts.Record("TOTP secret", secret);
        return new TestOperator(op.Id, email, password, role, secret);
    }

    /// <summary>A client signed in through the real login pages: password, then the TOTP code.</summary>
    public async Task<HttpClient> LoginAsync(TestOperator op)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true });
        var page = await Forms.PostAsync(client, "/account/login", "login", new() { ["Form.Email"] = op.Email, ["Form.Password"] = op.Password });
        Assert.Contains("/account/login-2fa", page.RequestMessage!.RequestUri!.AbsolutePath);
        var done = await Forms.PostAsync(client, page.RequestMessage.RequestUri.PathAndQuery, "second-factor", new() { ["Form.Code"] = op.Code() });
        Assert.Equal("/", done.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }

    /// <summary>A client that authenticates with a new API token of this role.</summary>
    public async Task<HttpClient> TokenClientAsync(string role)
    {
        var created = await Service<ApiTokenService>().CreateAsync($"t-{Guid.NewGuid():N}"[..20], role, AdminPortal.Data.Audit.AuditActor.System, default);
        SecretsScan.ScanArtifacts.Record("API token", created.Value!.Token);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Value!.Token);
        return client;
    }

    public async Task<PortalDbContext> DbAsync() => await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private static void Check(IdentityResult r) => Assert.True(r.Succeeded, string.Join("; ", r.Errors.Select(e => e.Description)));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || Interlocked.Exchange(ref _released, 1) == 1) return;
        if (DataDirectoryUsers.AddOrUpdate(DataDirectory, 0, (_, n) => n - 1) > 0) return;
        DataDirectoryUsers.TryRemove(new KeyValuePair<string, int>(DataDirectory, 0));
        // The last portal on this database and data directory: its audit trail goes to the secrets scan.
        SecretsScan.ScanArtifacts.DumpAuditEvents(Database, SuperuserConnectionString);
        for (var attempt = 0; attempt < 3 && Directory.Exists(DataDirectory); attempt++)
        {
            try { Directory.Delete(DataDirectory, true); }
            catch (IOException) { Thread.Sleep(100); } // a file written meanwhile ("directory not empty")
            catch (UnauthorizedAccessException) { return; }
        }
    }
}
