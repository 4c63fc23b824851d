using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary><c>POST /api/v1/ca/import</c> with archives of a PKI made by the real easy-rsa.</summary>
[SupportedOSPlatform("linux")]
public sealed class EasyRsaUploadApiTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_import_endpoint_refuses_bad_uploads_and_a_wrong_passphrase_then_imports_once()
    {
        using var easy = await EasyRsaPki.CreateAsync(caPassphrase: "api-ca-passphrase");
        await easy.BuildClientAsync("alice");
        var bob = await easy.BuildClientAsync("bob");
        await easy.RevokeAsync("bob", "superseded");
        var archive = Path.Combine(easy.Root, "pki.tar.gz");
        await Proc.CheckedAsync("tar", ["-C", easy.Root, "-czf", archive, "pki"]);
        var api = await app.TokenClientAsync(Roles.Admin);

        // Not a form, no file, too large, not an archive: clear 400s (and a 413), nothing stored.
        var notForm = await api.PostAsJsonAsync("/api/v1/ca/import", new { archive = "pki.tar.gz" });
        await AssertProblemAsync(notForm, HttpStatusCode.BadRequest, "multipart/form-data");
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", new MultipartFormDataContent { { new StringContent("x"), "passphrase" } }),
            HttpStatusCode.BadRequest, "field 'archive'");
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", Upload(new byte[PkiArchive.MaxUploadBytes + 1024 * 1024 + 1], null)),
            HttpStatusCode.RequestEntityTooLarge, "larger than this endpoint accepts");
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", Upload("plain text"u8.ToArray(), null)),
            HttpStatusCode.BadRequest, "neither a .tar.gz nor a .zip");

        // A gzip bomb (a file of zeros just over the unpacking limit, a few hundred KB compressed) stops at the limit.
        var bomb = await BombAsync(easy.Root);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", Upload(bomb, null)), HttpStatusCode.BadRequest, "unpacks to more than 200 MB");
        Console.WriteLine($"gzip bomb: {bomb.Length / 1024} KB upload refused after {started.ElapsedMilliseconds} ms");

        // No passphrase, then a wrong one, for an encrypted CA key: 400 on the passphrase field; the passphrase is not echoed.
        var bytes = await File.ReadAllBytesAsync(archive);
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", Upload(bytes, null)), HttpStatusCode.BadRequest, "give its passphrase");
        var wrong = await api.PostAsync("/api/v1/ca/import", Upload(bytes, "wrong-passphrase-123"));
        var problem = await AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "The passphrase does not open the CA key.");
        Assert.True(problem.GetProperty("errors").TryGetProperty("passphrase", out _));
        Assert.DoesNotContain("wrong-passphrase-123", problem.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/ca")).StatusCode);
        await using (var db = await app.DbAsync())
        {
            Assert.False(await db.Certificates.AnyAsync());
            Assert.DoesNotContain(await db.AuditEvents.Select(e => e.Details).ToListAsync(), d => d.Contains("wrong-passphrase-123"));
        }

        var ok = await api.PostAsync("/api/v1/ca/import", Upload(bytes, easy.CaPassphrase));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var report = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        var items = report.GetProperty("items").EnumerateArray().ToList();
        var bobSerial = bob.SerialHex.TrimStart('0').ToLowerInvariant();
        Assert.Contains(items, i => i.GetProperty("name").GetString() == "bob" && i.GetProperty("status").GetString() == "revoked"
            && i.GetProperty("serial").GetString() == bobSerial);
        Assert.Equal("active", (await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/alice")).GetProperty("status").GetString());
        Assert.Empty(Directory.GetDirectories(app.Service<ImportRuns>().WorkRoot));

        // Once only: the portal has a CA now.
        await AssertProblemAsync(await api.PostAsync("/api/v1/ca/import", Upload(bytes, easy.CaPassphrase)), HttpStatusCode.Conflict, "already has a certificate authority");
    }

    private static async Task<byte[]> BombAsync(string dir)
    {
        var zeros = Path.Combine(dir, "zeros");
        await using (var f = File.Create(zeros)) f.SetLength(PkiArchive.MaxExtractedBytes + 1); // sparse: no disk used
        var buffer = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new System.Formats.Tar.TarWriter(gzip))
            await tar.WriteEntryAsync(zeros, "pki/zeros");
        File.Delete(zeros);
        return buffer.ToArray();
    }

    private static MultipartFormDataContent Upload(byte[] archive, string? passphrase)
    {
        var file = new ByteArrayContent(archive);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        var form = new MultipartFormDataContent { { file, "archive", "pki.tar.gz" } };
        if (passphrase is not null) form.Add(new StringContent(passphrase), "passphrase");
        return form;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        return problem;
    }
}
