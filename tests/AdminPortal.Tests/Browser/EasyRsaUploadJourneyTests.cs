using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Data;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// The easy-rsa import as an upload on the CA page, in headless Chromium, on a portal of its own (it starts
/// without a CA): archives of a PKI made by the real easy-rsa (passphrase-protected CA key, a server, two users,
/// one revoked), hostile archives, and a wrong passphrase.
/// </summary>
[Collection("Browser")]
[SupportedOSPlatform("linux")]
public sealed class EasyRsaUploadJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_uploads_an_easyrsa_pki_hostile_archives_and_a_wrong_passphrase_store_nothing()
    {
        using var easy = await EasyRsaPki.CreateAsync();
        await easy.BuildServerAsync();
        await easy.BuildClientAsync("alice");
        var bob = await easy.BuildClientAsync("bob");
        await easy.RevokeAsync("bob", "keyCompromise");
        var work = Directory.CreateTempSubdirectory("ap-upload-test-").FullName;
        var evil = Path.Combine(Path.GetTempPath(), $"ap-evil-{Guid.NewGuid():N}");
        try
        {
            // The unpacking folder is DATA/imports/ID/unpacked under the temp folder: enough ".." reach the temp folder itself.
            // tar and zip themselves make the good archives: pki/ at the top, and the files directly at the top.
            var tarGz = Path.Combine(work, "pki.tar.gz");
            await Proc.CheckedAsync("tar", ["-C", easy.Root, "-czf", tarGz, "pki"]);
            var zip = Path.Combine(work, "pki.zip");
            await Proc.CheckedAsync("zip", ["-q", "-r", zip, "."], workingDirectory: easy.Directory);
            var hostile = new (string File, string Shows)[]
            {
                (Tar(work, "dotdot.tar.gz", easy, ("pki/../../../../../" + Path.GetFileName(evil), TarEntryType.RegularFile, null)), "points outside the archive's folder"),
                (Tar(work, "absolute.tar.gz", easy, (evil, TarEntryType.RegularFile, null)), "points outside the archive's folder"),
                (Tar(work, "symlink.tar.gz", easy, ("pki/escape", TarEntryType.SymbolicLink, evil), ("pki/escape/x.crt", TarEntryType.RegularFile, null)), "is a link"),
                (Tar(work, "hardlink.tar.gz", easy, ("pki/hard", TarEntryType.HardLink, "/etc/passwd")), "is a link"),
                (Tar(work, "device.tar.gz", easy, ("pki/null", TarEntryType.CharacterDevice, null)), "is not a plain file or folder"),
                (Zip(work, "dotdot.zip", "../../../../" + Path.GetFileName(evil)), "points outside the archive's folder"),
                (WriteText(work, "notes.txt", "not an archive"), "neither a .tar.gz nor a .zip"),
                (Tar(work, "no-pki.tar.gz", null, ("pki/README", TarEntryType.RegularFile, null)), "No easy-rsa PKI in the archive"),
            };

            var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "importer@example.test");
            await using var s = await portal.NewSessionAsync("easyrsa-upload");
            var page = s.Page;
            await s.SignInAsync(admin);
            await page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("ca-import")).ToBeVisibleAsync();
            // A file set on the prerendered (disabled) picker would be lost when the circuit replaces it.
            await Expect(page.GetByTestId("import-file")).ToBeEnabledAsync();

            // Hostile or useless archives: refused with a clear message, nothing written anywhere, no CA.
            foreach (var (file, shows) in hostile)
            {
                await Expect(page.GetByTestId("import-file")).ToBeEnabledAsync();
                await ChooseAsync(page, file);
                await page.GetByTestId("import-button").ClickAsync();
                await Expect(page.GetByTestId("import-archive-error")).ToContainTextAsync(shows);
                Assert.False(File.Exists(evil) || Directory.Exists(evil), $"{Path.GetFileName(file)} wrote {evil}");
            }
            await Expect(page.GetByTestId("import-archive-error")).ToContainTextAsync("Nothing was imported.");
            Assert.Empty(Directory.GetDirectories(portal.Service<ImportRuns>().WorkRoot));
            await s.ScreenshotAsync("hostile-archive-refused");

            // A wrong passphrase: an inline error on the passphrase, which is not echoed back; still no CA.
            await ChooseAsync(page, zip);
            await page.GetByTestId("import-passphrase").FillAsync("not the passphrase");
            await page.GetByTestId("import-button").ClickAsync();
            await Expect(page.GetByTestId("ca-import")).ToContainTextAsync("The passphrase does not open the CA key.");
            await Expect(page.GetByTestId("import-passphrase")).ToHaveValueAsync("");
            Assert.DoesNotContain("not the passphrase", await page.ContentAsync());
            var api = await portal.TokenClientAsync(Roles.Admin);
            api.BaseAddress = portal.BaseUrl; // the portal listens on real Kestrel here
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/ca")).StatusCode);
            await s.ScreenshotAsync("wrong-passphrase");
            // A phone: the page (loaded anew at that width, the layout settled) reflows without horizontal scrolling.
            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync("/ca");
            await Expect(page.GetByTestId("import-file")).ToBeEnabledAsync();
            await s.WaitForInteractiveAsync();
            Assert.True(await s.FitsTheViewportAsync(), "the import form scrolls horizontally at 390 px");
            await s.ScreenshotAsync("phone-ca-import");
            await page.SetViewportSizeAsync(1280, 800);
            await page.GotoAsync("/ca");
            await Expect(page.GetByTestId("import-file")).ToBeEnabledAsync();
            await s.WaitForInteractiveAsync();

            // The right passphrase: the import runs on while the operator is elsewhere; the report waits on the CA page.
            await ChooseAsync(page, tarGz);
            await page.GetByTestId("import-passphrase").FillAsync(easy.CaPassphrase);
            // A session holding the lock that creating, restoring or importing a CA takes keeps the run waiting
            // while the operator leaves the page and comes back; the import finishes once it lets go.
            await using (await HoldCaCreationLockAsync())
            {
                await page.GetByTestId("import-button").ClickAsync();
                await Expect(page.GetByTestId("import-progress")).ToContainTextAsync("Import of pki.tar.gz: importing certificates");
                await s.ScreenshotAsync("import-running");
                await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("/vpn-users$"));
                await page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority", Exact = true }).ClickAsync();
                await Expect(page.GetByTestId("import-progress")).ToContainTextAsync("Import of pki.tar.gz: importing certificates");
                await Expect(page.GetByTestId("import-button")).ToBeDisabledAsync();
            }
            var report = page.GetByTestId("import-report");
            await Expect(report).ToBeVisibleAsync();
            await Expect(page.GetByTestId("ca-subject")).ToContainTextAsync("CN=Lab CA");
            await Expect(page.GetByTestId("ca-import")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("3 imported, 0 skipped");
            await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("by importer@example.test");
            await Expect(Row(page, "alice")).ToContainTextAsync("active");
            await Expect(Row(page, "alice").GetByTestId("import-result")).ToHaveTextAsync("imported");
            await Expect(Row(page, "bob")).ToContainTextAsync("revoked");
            await Expect(Row(page, "bob")).ToContainTextAsync(bob.SerialHex.TrimStart('0').ToLowerInvariant());
            await Expect(Row(page, "server")).ToContainTextAsync("imported");
            await Expect(page.GetByTestId("crl-entries")).ToHaveTextAsync("1");
            await s.WaitForInteractiveAsync();
            foreach (var close in await page.Locator(".mud-snackbar button").AllAsync()) await close.ClickAsync(new() { Force = true });
            await s.ScreenshotAsync("import-report", readme: "ca-import");
            Assert.Empty(s.ConsoleErrors);

            // What the API and the audit trail say: the users, the revocation with its reason, the importer.
            var bobView = await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/bob");
            Assert.Equal("revoked", bobView.GetProperty("status").GetString());
            Assert.Equal("keyCompromise", bobView.GetProperty("certificates")[0].GetProperty("revocationReason").GetString());
            Assert.Equal("active", (await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/alice")).GetProperty("status").GetString());
            await using (var db = await portal.DbAsync())
                Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "pki.easyrsa.imported" && e.Actor == "importer@example.test"));
            Assert.Empty(Directory.GetDirectories(portal.Service<ImportRuns>().WorkRoot));
            Assert.False(File.Exists(evil) || Directory.Exists(evil));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A session-level hold on the advisory lock (<see cref="AdvisoryLocks.CertificateAuthority"/>) that CA creation, restore and the import take
    /// in their transaction; disposing closes the (unpooled) connection, which lets it go.</summary>
    private async Task<NpgsqlConnection> HoldCaCreationLockAsync()
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(portal.SuperuserConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLocks.CertificateAuthority})", conn);
        await hold.ExecuteNonQueryAsync();
        return conn;
    }

    /// <summary>Picks the file and waits until the circuit has it (the form names the chosen file).</summary>
    private static async Task ChooseAsync(IPage page, string file)
    {
        await page.GetByTestId("import-file").SetInputFilesAsync(file);
        await Expect(page.GetByTestId("import-chosen")).ToContainTextAsync(Path.GetFileName(file) + " (");
    }

    private static ILocator Row(IPage page, string name) =>
        page.GetByTestId("import-items").Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true }) });

    /// <summary>A .tar.gz of the real PKI (when given) followed by the hostile entries, made with System.Formats.Tar
    /// (which writes what it is told, unlike the tar command).</summary>
    private static string Tar(string work, string name, EasyRsaPki? pki, params (string Name, TarEntryType Type, string? Link)[] extra)
    {
        var path = Path.Combine(work, name);
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            if (pki is not null)
                foreach (var file in Directory.GetFiles(pki.Directory, "*", SearchOption.AllDirectories))
                    tar.WriteEntry(file, "pki/" + Path.GetRelativePath(pki.Directory, file));
            foreach (var (entryName, type, link) in extra)
            {
                var entry = new PaxTarEntry(type, entryName);
                if (link is not null) entry.LinkName = link;
                if (type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream("evil"u8.ToArray());
                tar.WriteEntry(entry);
            }
        }
        return path;
    }

    private static string Zip(string work, string name, string entryName)
    {
        var path = Path.Combine(work, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
        writer.Write("evil");
        return path;
    }

    private static string WriteText(string work, string name, string text)
    {
        var path = Path.Combine(work, name);
        File.WriteAllText(path, text);
        return path;
    }
}
