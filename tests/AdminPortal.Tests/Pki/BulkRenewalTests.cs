using System.Net;
using System.Net.Http.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

public sealed class BulkRenewalTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task A_bulk_renewal_renews_each_selected_user_in_the_background_and_reports_the_ones_it_could_not()
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Bulk-CA" })).StatusCode);
        var names = Enumerable.Range(0, 5).Select(i => $"bulk{i}").ToList();
        foreach (var n in names) Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = n })).StatusCode);
        var renewals = app.Service<BulkRenewals>();
        var seen = 0;
        renewals.Changed += _ => Interlocked.Increment(ref seen);

        var started = renewals.Start([.. names, "nobody"], new AuditActor("admin@example.test", Roles.Admin, null));
        var done = await Eventually.Async(() => renewals.Get(started.Id), p => p is { Finished: true }, "the bulk renewal finished");

        Assert.Equal((6, 5, 1), (done!.Total, done.Done, done.Failed));
        Assert.Contains(done.Errors, e => e.StartsWith("nobody:"));
        Assert.True(seen >= 6);
        await using var db = await app.DbAsync();
        foreach (var n in names)
        {
            var certs = await db.Certificates.Where(c => c.CommonName == n).ToListAsync();
            Assert.Equal(2, certs.Count);
            Assert.Single(certs, c => c.Status == "active");
            Assert.Single(certs, c => c.RevocationReason == "superseded");
        }
        Assert.Equal(5, await db.AuditEvents.CountAsync(e => e.Action == "pki.certificate.renewed" && e.Actor == "admin@example.test"));
    }
}
